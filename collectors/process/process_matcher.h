#pragma once
// ProcessGrouping: which configured group each process belongs to, the one
// answer the process collector and the `signal` action share. ProcessMatcher
// under it tests one process against the entries and renders the group's
// name. Both run once per process (pid + start time), not on every scrape,
// so their cost does not grow with the scrape rate.
// Thread contract: not thread-safe; each has one owner.

#include <re2/re2.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collectors/procfs/pid_stat.h"
#include "collectors/procfs/proc_fs.h"
#include "config/process_groups.h"

namespace vitals::collectors {

// What the selectors look at, gathered when a process is first seen.
struct ProcessFacts {
  int pid = 0;
  std::string_view comm;
  std::string_view cmdline;  // argv joined by single spaces; empty for kernel threads
  std::string_view exe;      // argv[0], as process-exporter uses it
  std::optional<std::uint32_t> euid;
  std::string_view cgroup;  // contents of /proc/<pid>/cgroup
};

// uid <-> user name through getpwuid_r/getpwnam_r, cached: users rarely change
// and NSS lookups can be slow.
class UserNames {
 public:
  const std::string& Name(std::uint32_t uid);  // the number as text when unknown
  static std::optional<std::uint32_t> Resolve(const std::string& user);  // name or number

 private:
  std::unordered_map<std::uint32_t, std::string> names_;
};

class ProcessMatcher {
 public:
  // `self_pid`: the agent's pid as the procfs root sees it (0 when unknown).
  ProcessMatcher(const std::vector<config::ProcessGroupConfig>& entries, int self_pid);
  ProcessMatcher(ProcessMatcher&&) = default;
  ProcessMatcher& operator=(ProcessMatcher&&) = default;

  // Which facts the entries look at, so the collector reads nothing else.
  bool needs_cmdline() const { return needs_cmdline_; }
  bool needs_cgroup() const { return needs_cgroup_; }
  bool needs_uid() const { return needs_uid_; }

  // Re-reads every pidfile; true when a pid changed since the last call.
  bool RefreshPidfiles();

  // Index of the first entry whose selectors all match, with the rendered
  // group name in `name` (invalid UTF-8 replaced so the label is valid).
  std::optional<std::size_t> Match(const ProcessFacts& facts, UserNames& users,
                                   std::string* name) const;

  const config::ProcessGroupConfig& entry(std::size_t i) const { return entries_[i].config; }
  std::size_t size() const { return entries_.size(); }
  // Problems found while setting up (e.g. an unknown user), for the log.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct Entry {
    config::ProcessGroupConfig config;
    std::unique_ptr<RE2> comm, exe, cmdline;
    std::optional<std::uint32_t> uid;
    bool user_unknown = false;
    int pidfile_pid = 0;  // 0: unreadable or not set
  };

  std::vector<Entry> entries_;
  int self_pid_ = 0;
  bool needs_cmdline_ = false;
  bool needs_cgroup_ = false;
  bool needs_uid_ = false;
  std::vector<std::string> warnings_;
};

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

// The agent's own pid as the procfs root numbers it (pid namespaces differ
// when a container reads the host's /proc); 0 when the root is not a real
// /proc or does not show the agent.
int SelfPid(const procfs::ProcFs& proc);

// Replaces each byte that starts no valid UTF-8 sequence with U+FFFD, so any
// comm or cmdline can be a Prometheus label value.
std::string ToValidUtf8(std::string_view text);

// True when `unit` is one component of a path in /proc/<pid>/cgroup text.
bool CgroupHasUnit(std::string_view cgroup, std::string_view unit);

}  // namespace vitals::collectors
