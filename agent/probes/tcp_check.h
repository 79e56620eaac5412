#pragma once
// tcp: connect (IPv4, IPv6 or a name, resolved with c-ares), optionally TLS,
// optionally send a line and expect a substring in the answer.

#include "agent/probes/probe.h"

namespace vitals::probes {

class TcpCheck final : public ProbeCheck {
 public:
  TcpCheck(config::TcpProbeConfig config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  config::TcpProbeConfig config_;
};

}  // namespace vitals::probes
