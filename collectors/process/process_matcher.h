#pragma once
// ProcessMatcher: tests one process against the configured entries and
// renders its group's name; ProcessGrouping (process_grouping.h) runs it once
// per process (pid + start time), not on every scrape, so its cost does not
// grow with the scrape rate.
// Thread contract: not thread-safe; each has one owner.

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/process/user_names.h"
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
