#pragma once
// dns: resolve a name over DNS only (not /etc/hosts) with c-ares, from
// resolv.conf's servers or a configured one, within the run's deadline (the
// lookup is cancelled at it); optionally every expected address must be in
// the answer. A truncated UDP answer (TC bit) is retried over TCP; the
// description says so, and a failed retry says why.

#include "agent/probes/probe.h"

namespace vitals::probes {

class DnsCheck final : public ProbeCheck {
 public:
  DnsCheck(config::DnsProbeConfig config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  config::DnsProbeConfig config_;
};

}  // namespace vitals::probes
