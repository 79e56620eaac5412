#pragma once
// exec: run a command without a shell, as Nagios runs its plugins: exit 0 is
// Healthy, 1 Degraded (WARNING), 2 a failure (CRITICAL); anything else
// (3 UNKNOWN, a signal, a command that cannot start) is a failure too. The
// first line of its output (stdout and stderr, capped) is the description.
//
// Run by platform::RunCommand: on the deadline or a shutdown the command and
// everything it started (setsid() and double forks included) are killed and
// reaped, and what it leaves running when it exits is killed too, so a
// plugin leaves nothing behind. stdin is /dev/null and no descriptor of the
// agent but the output pipe is inherited.

#include "agent/probes/probe.h"

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
