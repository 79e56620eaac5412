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

#include "agent/health/kind.h"
#include "agent/probes/probe.h"

#include <string.h>

#include "agent/platform/subprocess.h"

namespace vitals::probes {

namespace {

struct ExecSettings : config::KindSettings {
  std::vector<std::string> command;  // argv, no shell; argv[0] searched in PATH
  std::uint64_t max_output_bytes = 4096;
};

ExecSettings ReadExec(const config::Reader& r) {
  ExecSettings c;
  if (!r.Has("command")) {
    r.FailAt("command", "missing required key");
  } else if (!r.At("command").value().is_array() || r.At("command").value().empty()) {
    r.At("command").Fail("expected a non-empty array like [\"/usr/lib/nagios/plugins/check_disk\", "
                         "\"-w\", \"10%\"] (no shell), got " +
                         config::Describe(r.At("command").value()));
  } else {
    c.command = config::ReadStrings(r, "command");
    if (!c.command.empty() && c.command[0].empty()) {
      r.At("command").FailAt("0", "expected a program, got an empty string");
    }
  }
  if (auto max = r.Uint("max_output_bytes", 1 << 20)) {
    if (*max == 0) {
      r.At("max_output_bytes").Fail("expected an integer from 1 to 1048576, got 0");
    }
    c.max_output_bytes = *max;
  }
  return c;
}

class ExecCheck final : public ProbeCheck {
 public:
  ExecCheck(ExecSettings config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  ExecSettings config_;
};

const collectors::MetricDesc kExecExitCode = health::CheckGauge(
    "vitals_probe_exec_exit_code",
    "Exit code of the command of an exec probe (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).");

}  // namespace


namespace {

std::string FirstLine(const std::string& output) {
  std::string line = output.substr(0, output.find('\n'));
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return Excerpt(line, 200);
}

}  // namespace

health::CheckResult ExecCheck::Probe(ProbeRun& run) {
  const std::string what = "exec " + config_.command[0];
  using Outcome = platform::CommandResult::Outcome;
  const auto r = platform::RunCommand({config_.command, run.deadline.at, run.deadline.stop,
                                       static_cast<std::size_t>(config_.max_output_bytes),
                                       platform::Command::Leftovers::kKill});
  if (r.pid > 0) {
    run.data["pid"] = r.pid;
  }
  run.data["output_bytes"] = r.output_bytes;
  if (r.killed > 0) {
    run.data["processes_killed"] = r.killed;
  }
  const std::string line = FirstLine(r.output);
  switch (r.outcome) {
    case Outcome::kTimedOut:
    case Outcome::kStopped:
      throw ProbeFailure(what + ": " +
                         (r.outcome == Outcome::kStopped ? "cancelled, the agent is shutting down"
                                                         : run.deadline.TimedOut()) +
                         (r.killed > 0 ? "; " + r.KilledText() : "") +
                         (line.empty() ? "" : "; output \"" + line + "\""));
    case Outcome::kStartFailed:
    case Outcome::kLost:
      throw ProbeFailure(what + ": " + r.Describe());
    case Outcome::kSignaled:
      throw ProbeFailure(what + ": killed by signal " + std::to_string(r.code) + " (" +
                         strsignal(r.code) + ")" + (line.empty() ? "" : ": " + line));
    case Outcome::kExited:
      break;
  }
  run.data["exec_exit_code"] = r.code;
  if (r.code == 127 && r.output.empty()) {
    throw ProbeFailure(what + ": exit 127 (command not found?)");
  }
  const std::string description = line.empty() ? what + ": exit " + std::to_string(r.code) : line;
  switch (r.code) {
    case 0: return health::CheckResult::Healthy(description);
    case 1: return health::CheckResult::Degraded(description);
    case 2: throw ProbeFailure(description);
    default:
      throw ProbeFailure(what + ": exit " + std::to_string(r.code) +
                         (r.code == 3 ? " (UNKNOWN)" : "") + (line.empty() ? "" : ": " + line));
  }
}

VITALS_REGISTER_CHECK_KIND(exec, (ProbeKind<ExecSettings, ExecCheck>(
                                "exec", {"command", "max_output_bytes"}, ReadExec,
                                {{"exec_exit_code", &kExecExitCode}})));

}  // namespace vitals::probes
