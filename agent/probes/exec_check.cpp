#include "agent/probes/exec_check.h"

#include <string.h>

#include "agent/platform/subprocess.h"

namespace vitals::probes {

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

}  // namespace vitals::probes
