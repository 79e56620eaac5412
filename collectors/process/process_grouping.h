#pragma once
// ProcessGrouping: which configured group each process belongs to, the one
// answer the process collector and the `signal` action share (agent/actions'
// FindGroup). It places each process once while it lives (pid + start time),
// not on every scrape, so its cost does not grow with the scrape rate.
// Thread contract: not thread-safe; one owner.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collectors/process/process_matcher.h"
#include "collectors/procfs/pid_stat.h"
#include "collectors/procfs/proc_fs.h"
#include "config/process_groups.h"

namespace vitals::collectors {

// The grouping rule, for a pass over /proc that shows each process's stat:
// the first entry whose selectors all match places a process; a process no
// entry matches joins the group of its nearest matched ancestor (through
// unmatched ones, in this pass) when that ancestor's entry has "children",
// else it is in no group. A process is known by pid and start time and placed
// once while it lives, again only when a pidfile names another process: the
// collector keeps one grouping across its scans, the action makes one per
// call. What a selector needs beyond comm (cmdline, cgroup, status) is read
// from /proc when the process is first placed.
class ProcessGrouping {
 public:
  // The caller's number (>= 0) for the group of the rendered name `name`:
  // asked once per matched process; descendants that join it take the same.
  using GroupNumber = std::function<int(const std::string& name)>;
  static constexpr int kNoGroup = -1;
  static constexpr int kByAncestors = -2;  // Place: EndPass decides

  // `self_pid`: SelfPid(proc). `proc` must outlive the grouping.
  ProcessGrouping(const procfs::ProcFs& proc,
                  const std::vector<config::ProcessGroupConfig>& entries, int self_pid,
                  GroupNumber number);

  // Starts a pass: re-reads the pidfiles. True when one names another
  // process, so every process is placed again (its group may change).
  bool BeginPass();
  // A process of this pass, by its stat: its group number, kNoGroup, or
  // kByAncestors when no entry matched it and EndPass places it.
  int Place(int pid, const procfs::PidStat& stat);
  // A known process whose stat could not be read in this pass stays as it was.
  void Keep(int pid);
  // A process that exited during the pass is not in it (nor an ancestor).
  void Forget(int pid);
  // Places this pass's kByAncestors processes under their ancestors, and
  // forgets the processes this pass did not show.
  void EndPass();
  // The group of a process this pass showed, kNoGroup if none.
  int Group(int pid) const;

  // Problems found while setting up (e.g. an unknown user), for the log.
  const std::vector<std::string>& warnings() const { return matcher_.warnings(); }

 private:
  struct Process {
    std::uint64_t starttime = 0;
    std::uint64_t pass = 0;  // the last pass that showed it
    int ppid = 0;
    int entry = -1;  // the entry that placed it (or its ancestor); -1: none
    int group = kNoGroup;
    bool placed = false;
  };
  std::optional<std::size_t> Match(int pid, std::string_view comm, std::string* name);
  int PlaceUnderAncestors(Process& p, int depth);

  const procfs::ProcFs* proc_;
  ProcessMatcher matcher_;
  GroupNumber number_;
  bool any_children_ = false;
  UserNames users_;
  std::uint64_t pass_ = 0;
  std::unordered_map<int, Process> processes_;
  std::vector<int> by_ancestors_;  // this pass's
  std::string buffer_;
};

}  // namespace vitals::collectors
