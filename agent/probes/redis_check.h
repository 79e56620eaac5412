#pragma once
// redis: AUTH (password, or ACL user and password) when configured, then PING
// and INFO server, over a hand-written RESP client (resp.h) on our own
// deadline-bound socket, optionally TLS. A hand-written client rather than
// hiredis: three commands need ~150 lines, and hiredis' blocking API has
// only a connect/command timeout pair, not one deadline for the whole run;
// its TLS half would be a second library to package.

#include "agent/probes/probe.h"
#include "agent/probes/resp.h"

namespace vitals::probes {

class RedisCheck final : public ProbeCheck {
 public:
  RedisCheck(config::RedisProbeConfig config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  config::RedisProbeConfig config_;
};

}  // namespace vitals::probes
