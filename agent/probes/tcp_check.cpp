// tcp: connect (IPv4, IPv6 or a name, resolved with c-ares), optionally TLS,
// optionally send a line and expect a substring in the answer.

#include "agent/health/kind.h"
#include "agent/probes/probe.h"

namespace vitals::probes {

namespace {

struct TcpSettings : config::KindSettings {
  config::HostPort address;
  std::string send;    // written after connecting, if not empty
  std::string expect;  // a substring the answer must contain, if not empty
  config::TlsClientConfig tls;
};

TcpSettings ReadTcp(const config::Reader& r) {
  TcpSettings c;
  c.address = config::ReadAddress(r, "address").value_or(config::HostPort{});
  c.send = r.String("send").value_or("");
  c.expect = r.String("expect").value_or("");
  c.tls = config::ReadTls(r, true);
  return c;
}

class TcpCheck final : public ProbeCheck {
 public:
  TcpCheck(TcpSettings config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  TcpSettings config_;
};

}  // namespace


namespace {
constexpr std::size_t kMaxAnswer = 64 * 1024;  // read this much looking for `expect`
}

health::CheckResult TcpCheck::Probe(ProbeRun& run) {
  const std::string target = config_.address.ToString();
  Address peer;
  Stream stream(Connect(config_.address, run.deadline, &peer));
  run.data["address"] = peer.ToString();
  run.data["ip_protocol"] = peer.family() == AF_INET6 ? 6 : 4;
  if (config_.tls.enabled) {
    stream.StartTls(config_.tls, config_.address.host, true, run.deadline);
    if (auto expiry = PeerChainExpiry(stream.ssl())) {
      run.data["ssl_earliest_cert_expiry"] = expiry->earliest_not_after;
    }
  }
  if (!config_.send.empty()) {
    stream.WriteAll(config_.send, run.deadline);
  }
  if (!config_.expect.empty()) {
    std::string answer;
    char buf[4096];
    // Each search starts where `expect` could begin in what just arrived.
    std::size_t searched = 0;
    while (answer.find(config_.expect, searched) == std::string::npos) {
      searched = answer.size() >= config_.expect.size() ? answer.size() - config_.expect.size() + 1
                                                        : 0;
      if (answer.size() >= kMaxAnswer) {
        throw ProbeFailure(target + ": \"" + Excerpt(config_.expect) + "\" not in the first " +
                           std::to_string(kMaxAnswer) + " bytes of the answer");
      }
      std::size_t n;
      try {
        n = stream.ReadSome(buf, sizeof buf, run.deadline);
      } catch (const ProbeFailure& e) {
        throw ProbeFailure(target + ": expected \"" + Excerpt(config_.expect) + "\": " + e.what() +
                           (answer.empty() ? "" : "; got \"" + Excerpt(answer) + "\""));
      }
      if (n == 0) {
        throw ProbeFailure(target + ": connection closed before \"" + Excerpt(config_.expect) +
                           "\" was seen; got \"" + Excerpt(answer) + "\"");
      }
      answer.append(buf, n);
    }
  }
  return health::CheckResult::Healthy("connected to " + target + " (" + peer.ToString() + ") in " +
                                      run.deadline.Elapsed());
}

VITALS_REGISTER_CHECK_KIND(tcp, (ProbeKind<TcpSettings, TcpCheck>(
                                "tcp", {"address", "send", "expect", "tls"}, ReadTcp,
                                {{"ip_protocol", &kIpProtocol}, {"ssl_earliest_cert_expiry", &kSslEarliestCertExpiry}})));

}  // namespace vitals::probes
