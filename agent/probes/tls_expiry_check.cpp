#include "agent/probes/tls_expiry_check.h"

#include <ctime>

#include "agent/platform/openssl.h"

namespace vitals::probes {

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

}  // namespace vitals::probes
