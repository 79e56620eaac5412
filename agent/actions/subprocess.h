#pragma once
// RunCommand: runs a program without a shell for an action (exec, and
// systemctl for restart). The child starts a new session, so it and
// everything it starts form one process group; at the timeout (or when the
// agent stops) that whole group gets SIGKILL and the child is reaped. stdin
// is /dev/null; stdout and stderr go to one pipe, of which the first
// `output_cap` bytes are kept and the rest is read and dropped. No
// descriptor of the agent but that pipe is inherited.
//
// The run ends when the child exits, not when the pipe closes: a command
// that starts a long-running service may leave it running (the group is
// killed only on timeout), and that service should not keep the pipe (it
// would get EPIPE once the agent stops reading; redirect its output).
//
// Thread contract: reentrant; each call owns its child.

#include <chrono>
#include <cstddef>
#include <stop_token>
#include <string>
#include <vector>

namespace vitals::actions {

struct CommandResult {
  enum class Outcome { kExited, kSignaled, kTimedOut, kStartFailed, kStopped };
  Outcome outcome = Outcome::kStartFailed;
  int code = -1;        // exit code (kExited) or signal number (kSignaled)
  std::string output;   // capped
  bool truncated = false;
  std::string error;    // kStartFailed: why
  std::chrono::steady_clock::duration took{};

  bool ok() const { return outcome == Outcome::kExited && code == 0; }
  // "exit 0", "exit 3", "killed by signal 9", "timed out after 2s and was
  // killed", "cannot start: No such file or directory", ...
  std::string Describe() const;
};

CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout, std::size_t output_cap,
                         std::stop_token stop = {});

}  // namespace vitals::actions
