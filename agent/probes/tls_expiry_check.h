#pragma once
// tls_expiry: connect, complete a TLS handshake and read the peer's chain.
// The certificate that expires first decides: expired or under
// unhealthy_before is a failure, under degraded_before is Degraded. A chain
// that does not verify for another reason (wrong name, unknown issuer) is a
// failure too, unless tls.insecure_skip_verify.

#include "agent/probes/probe.h"

namespace vitals::probes {

class TlsExpiryCheck final : public ProbeCheck {
 public:
  TlsExpiryCheck(config::TlsExpiryProbeConfig config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  config::TlsExpiryProbeConfig config_;
};

}  // namespace vitals::probes
