#pragma once
// exec: run a command without a shell, as Nagios runs its plugins: exit 0 is
// Healthy, 1 Degraded (WARNING), 2 a failure (CRITICAL); anything else
// (3 UNKNOWN, a signal, a command that cannot start) is a failure too. The
// first line of its output (stdout and stderr, capped) is the description.
//
// The child gets its own process group; on the deadline or a shutdown the
// whole group is killed (SIGKILL) and reaped, so a hung plugin and whatever
// it started do not outlive the run. stdin is /dev/null and no descriptor of
// the agent but the output pipe is inherited.

#include "collectors/probes/probe.h"

namespace vitals::probes {

class ExecCheck final : public ProbeCheck {
 public:
  ExecCheck(config::ExecProbeConfig config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  config::ExecProbeConfig config_;
};

}  // namespace vitals::probes
