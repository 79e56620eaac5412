#pragma once
// The `signal` action: the processes of a declared process group, found by
// the ProcessGrouping the process collector groups them with (the first
// matching entry wins; unmatched descendants join a group with "children"),
// get a signal; those still alive after `grace` get SIGKILL. A process is
// known by pid and start time, so a pid reused meanwhile is never signalled.
//
// Only when the procfs root is this pid namespace's /proc: pids read from a
// host's /proc mounted into a container name other processes here.
//
// Thread contract: reentrant (each call reads /proc on its own).

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

#include "collectors/procfs/proc_fs.h"
#include "config/process_groups.h"

namespace vitals::actions {

struct Member {
  int pid = 0;
  std::uint64_t starttime = 0;
};

// The members of `group` now, in pid order, zombies left out; empty with
// `error` set when /proc cannot be listed.
std::vector<Member> FindGroup(const procfs::ProcFs& proc,
                              const std::vector<config::ProcessGroupConfig>& groups,
                              const std::string& group, std::string* error);

struct SignalOutcome {
  std::size_t signalled = 0;  // got the first signal
  std::size_t exited = 0;     // gone within the grace
  std::size_t killed = 0;     // needed SIGKILL
  std::size_t survivors = 0;  // still there after SIGKILL (or not ours to signal)
  std::string error;          // why not all could be signalled
  bool ok() const { return survivors == 0 && error.empty(); }
  std::string Describe() const;
};

// Sends `signo` to each member, waits up to `grace` for all to exit, then
// SIGKILLs the rest and waits up to 2 s more. Zombies count as exited.
SignalOutcome SignalMembers(const procfs::ProcFs& proc, const std::vector<Member>& members,
                            int signo, std::chrono::milliseconds grace, std::stop_token stop = {});

// True when `proc` is the /proc of the agent's own pid namespace.
bool SamePidNamespace(const procfs::ProcFs& proc);

}  // namespace vitals::actions
