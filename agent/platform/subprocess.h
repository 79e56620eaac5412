#pragma once
// RunCommand: the agent's one way to run a program (exec checks, exec and
// restart actions). No shell: argv[0] is found on PATH as execvp(3) finds
// it; stdin is /dev/null; stdout and stderr go to one pipe, of which the
// first `output_cap` bytes are kept and the rest is read and dropped (so the
// command never blocks on a full pipe); no other descriptor of the agent is
// inherited; signal mask and dispositions are the defaults.
//
// Every run has a keeper: a small process forked from the agent (named
// "vitals-run", running no code but fork, waitpid and write) that starts
// the command and is the child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER)
// of everything below it. Whatever the command starts stays below the
// keeper, whether it calls setsid(), double-forks or its parent exits, so
// at the deadline or a stop request KillDescendants(keeper) kills the whole
// tree and nothing escapes. The keeper reports the command's wait status;
// it exits once nothing is left below it.
//
// The run ends when the command itself exits. What it left running is then
// killed (Leftovers::kKill, exec checks), or left to the keeper
// (Leftovers::kKeep: an action may start a service), which the agent
// reaps when it is done and kills when the agent exits (KillAllChildren).
//
// No call blocks past the deadline (plus a grace of 100 ms for the killed
// tree to be reaped; a process the kernel cannot kill at once, stuck in
// uninterruptible I/O, is handed to a reaper thread instead of waited for).
//
// Thread contract: RunCommand is reentrant; each call owns its keeper. Every
// child process of the agent must be started here: once the agent is a
// subreaper, children that no run is waiting for are reaped as orphans.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

namespace vitals::platform {

struct Command {
  enum class Leftovers { kKill, kKeep };

  std::vector<std::string> argv;  // argv[0] searched in PATH unless it holds a '/'
  std::chrono::steady_clock::time_point deadline;
  std::stop_token stop;  // a stop request kills the tree at once
  std::size_t output_cap = 4096;
  Leftovers leftovers = Leftovers::kKill;  // what the command leaves running when it exits
};

struct CommandResult {
  enum class Outcome {
    kExited,       // code: the exit status
    kSignaled,     // code: the signal that killed the command
    kTimedOut,     // the deadline passed; the tree was killed
    kStopped,      // a stop request (shutdown); the tree was killed
    kStartFailed,  // error: why (not found, not executable, no fork...)
    kLost,         // error: the keeper was killed by someone else
  };
  Outcome outcome = Outcome::kStartFailed;
  int code = -1;
  std::string error;
  int pid = -1;                    // the command's
  std::string output;              // the first output_cap bytes of stdout + stderr
  std::uint64_t output_bytes = 0;  // all of them
  std::size_t killed = 0;          // processes of the tree killed (timeout, stop, leftovers)
  std::chrono::steady_clock::duration took{};

  bool ok() const { return outcome == Outcome::kExited && code == 0; }
  bool truncated() const { return output_bytes > output.size(); }
  // "exit 3", "killed by signal 9", "timed out after 2000ms; killed its
  // process tree (3 processes)", "stopped: the agent is shutting down; ...",
  // "cannot start: No such file or directory", ...
  std::string Describe() const;
  // "killed its process tree (3 processes)", or empty when nothing was killed.
  std::string KilledText() const;
};

CommandResult RunCommand(const Command& command);

// Makes the agent the child subreaper of what it starts: a process whose
// keeper was killed by someone else is re-parented to the agent (not to
// init), reaped when it exits and killed by KillAllChildren. Call once at
// startup. Returns why not, or empty.
std::string BecomeChildSubreaper();

// At exit: kills every process below the agent (keepers and what they
// hold, orphans) and reaps them, except the keepers a RunCommand call still
// waits for (that call reaps its own). RunCommand starts nothing afterwards.
// Returns how many processes were killed.
std::size_t KillAllChildren();

}  // namespace vitals::platform
