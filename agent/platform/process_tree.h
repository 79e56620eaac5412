#pragma once
// The processes below a process, read from /proc (the ppid field of
// /proc/<pid>/stat, proc(5)), and SIGKILL for all of them: how the command
// runner (subprocess.h) ends what a command started, and how the agent ends
// everything it started when it exits.
//
// When a process exits, the kernel gives its children to the nearest
// ancestor that is a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER), else
// to init. So the tree below a subreaper that stays alive holds everything
// started below it, whatever setsid() or double forks did: a kill of that
// tree misses nothing.
//
// Thread contract: reentrant.

#include <cstddef>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

namespace vitals::platform {

struct ProcessId {
  int pid = 0;
  std::uint64_t starttime = 0;  // ticks after boot: with the pid, names one process
};

// The processes below `root` that have not exited (zombies left out),
// parents before their children. Empty when /proc cannot be read.
std::vector<ProcessId> Descendants(int root);

// The children of `parent`, zombies included.
std::vector<int> Children(int parent);

// Processes already sent SIGKILL, by pid and start time.
using Killed = std::set<std::pair<int, std::uint64_t>>;

// Sends SIGKILL to every process below `root` that is not in `killed` yet,
// and scans again until a scan finds no live process it has not killed: a
// killed process can no longer fork, and the children of a dying one are
// still below `root` (see above). Gives up after 100 scans (a fork bomb
// faster than the scans). Adds what it killed to `killed` and returns how
// many that was; the processes are gone once their parent (or the
// subreaper) has reaped them.
std::size_t KillDescendants(int root, Killed& killed);

}  // namespace vitals::platform
