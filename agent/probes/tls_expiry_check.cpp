// tls_expiry: connect, complete a TLS handshake and read the peer's chain.
// The certificate that expires first decides: expired or under
// unhealthy_before is a failure, under degraded_before is Degraded. A chain
// that does not verify for another reason (wrong name, unknown issuer) is a
// failure too, unless tls.insecure_skip_verify.

#include "agent/health/kind.h"
#include "agent/probes/probe.h"

#include <ctime>

#include "agent/platform/openssl.h"

namespace vitals::probes {

namespace {

struct TlsExpirySettings : config::KindSettings {
  config::HostPort address;
  config::TlsClientConfig tls;  // enabled is implied
  std::chrono::milliseconds degraded_before{std::chrono::hours(24 * 30)};
  std::chrono::milliseconds unhealthy_before{std::chrono::hours(24 * 7)};
};

TlsExpirySettings ReadTlsExpiry(const config::Reader& r) {
  TlsExpirySettings c;
  c.address = config::ReadAddress(r, "address").value_or(config::HostPort{});
  c.tls = config::ReadTls(r, false);
  c.tls.enabled = true;
  c.degraded_before = r.Duration("degraded_before").value_or(c.degraded_before);
  c.unhealthy_before = r.Duration("unhealthy_before").value_or(c.unhealthy_before);
  if (c.degraded_before < c.unhealthy_before) {
    r.FailAt("degraded_before", "must not be shorter than unhealthy_before (Degraded comes first)");
  }
  return c;
}

class TlsExpiryCheck final : public ProbeCheck {
 public:
  TlsExpiryCheck(TlsExpirySettings config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  TlsExpirySettings config_;
};

}  // namespace


using platform::OpenSsl;

namespace {

std::string Utc(double seconds) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

health::CheckResult TlsExpiryCheck::Probe(ProbeRun& run) {
  const std::string name =
      config_.tls.server_name.empty() ? config_.address.host : config_.tls.server_name;
  const std::string target = "tls " + config_.address.ToString() +
                             (name == config_.address.host ? "" : " (" + name + ")");
  Stream stream(Fd{});
  try {
    stream = Stream(Connect(config_.address, run.deadline));
    stream.StartTls(config_.tls, config_.address.host, false, run.deadline);
  } catch (const ProbeFailure& e) {
    throw ProbeFailure("tls: " + std::string(e.what()));
  }
  auto chain = PeerChainExpiry(stream.ssl());
  if (!chain) {
    throw ProbeFailure(target + ": the server sent no certificate");
  }
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double left = chain->earliest_not_after - now;
  run.data["ssl_earliest_cert_expiry"] = chain->earliest_not_after;
  run.data["expires"] = Utc(chain->earliest_not_after);
  run.data["days_left"] = left / 86400;
  run.data["subject"] = chain->subject;
  run.data["chain_length"] = chain->certificates;
  const std::string who = chain->subject + " (not after " + Utc(chain->earliest_not_after) + ")";
  if (left <= 0) {
    throw ProbeFailure(target + ": certificate " + who + " expired " + HumanDuration(left) +
                       " ago");
  }
  const long verify = stream.verify_result();
  if (verify != X509_V_OK && !config_.tls.insecure_skip_verify) {
    throw ProbeFailure(target + ": certificate not trusted: " +
                       OpenSsl().X509_verify_cert_error_string(verify));
  }
  const double unhealthy = std::chrono::duration<double>(config_.unhealthy_before).count();
  const double degraded = std::chrono::duration<double>(config_.degraded_before).count();
  const std::string summary =
      target + ": certificate " + who + " expires in " + HumanDuration(left);
  if (left < unhealthy) {
    throw ProbeFailure(summary + ", less than unhealthy_before " + HumanDuration(unhealthy));
  }
  if (left < degraded) {
    return health::CheckResult::Degraded(summary + ", less than degraded_before " +
                                         HumanDuration(degraded));
  }
  return health::CheckResult::Healthy(summary);
}

VITALS_REGISTER_CHECK_KIND(tls_expiry, (ProbeKind<TlsExpirySettings, TlsExpiryCheck>(
                                "tls_expiry", {"address", "tls", "degraded_before", "unhealthy_before"}, ReadTlsExpiry,
                                {{"ssl_earliest_cert_expiry", &kSslEarliestCertExpiry}})));

}  // namespace vitals::probes
