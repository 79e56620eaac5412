#pragma once
// ProcessCollector: process-exporter's namedprocess_namegroup_* families from
// one pass over /proc per scrape.
//
// Per scrape it reads <pid>/stat of every process (the start time tells a
// reused pid from the old process) from a ProcessTable pass it shares with
// the host "processes" collector, and for processes in a group only:
// status (swap, context switches), io, the fd count (FdCounter: stat() of
// fd/ on Linux >= 6.2), and smaps_rollup when enabled. cmdline, cgroup and
// limits are read once per process (pid + start time), since matching is
// decided once and limits rarely change.
//
// Counters follow process-exporter: the collector keeps each process's last
// values and adds the increase since the previous scan to its group's total,
// so a group's counter never goes backwards when a member exits. Processes
// already running at the first scan (made when the collector is built)
// contribute only what they do after it; processes that start later
// contribute everything they did. A group, once seen, stays with num_procs 0;
// groups with a fixed name are reported from the first scrape.
//
// Unknown is not zero: a process whose fd/ or io cannot be read (other user,
// no capability) is left out of open_filedesc / worst_fd_ratio / the io
// counters and counted in namedprocess_namegroup_read_errors_total{reason}.
//
// When no entry can match a process other than the agent (only `self`
// entries without `children`, or no entries), it reads only the agent's own
// /proc/<pid>/stat and lists nothing: the embedded default costs one process.
//
// Thread contract: Collect() is serialized by the caller (ScrapeCollectable);
// Groups() may be called from any thread.

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/collector.h"
#include "collectors/process_table.h"
#include "collectors/process/process_matcher.h"
#include "collectors/procfs/pid_fd.h"
#include "config/process_groups.h"

namespace vitals::collectors {

class ProcessCollector : public Collector {
 public:
  // `table`: the pass over /proc shared with other collectors; null makes a
  // private one.
  ProcessCollector(const procfs::ProcFs& proc, const std::vector<config::ProcessGroupConfig>& groups,
                   const config::ProcessCollectorConfig& options,
                   std::shared_ptr<ProcessTable> table = nullptr);

  std::string_view name() const override { return "process"; }
  std::span<const MetricDesc> Describe() const override;
  procfs::Result<void> Collect(MetricSink& out) override;

  // The state of every group after the last scan, for health checks.
  struct GroupCount {
    std::string name;
    std::uint64_t num_procs = 0;
    std::optional<std::uint64_t> min, max;
  };
  std::vector<GroupCount> Groups() const;
  const std::vector<std::string>& warnings() const { return matcher_.warnings(); }
  // True when only the agent's own process is read (see above).
  bool self_only() const { return self_only_; }

 private:
  // The counters a process accumulates, in the kernel's units.
  struct Counters {
    std::uint64_t utime = 0, stime = 0, minflt = 0, majflt = 0;
    std::uint64_t read_bytes = 0, write_bytes = 0, vcsw = 0, nvcsw = 0;
  };
  struct Tracked {
    std::uint64_t starttime = 0;  // with the pid, the identity of a process
    std::uint64_t seen_scan = 0;
    int ppid = 0;
    int group = -1;  // index into groups_; -1: in no group
    int entry = -1;  // config entry that placed it (or its ancestor)
    bool resolved = false;
    bool fresh = false;  // started after the first scan: count from zero
    bool stat_seen = false, status_seen = false, io_seen = false;
    bool limits_read = false;
    std::optional<std::uint64_t> fd_limit;  // soft RLIMIT_NOFILE, cached
    Counters last;
    // This scan's /proc/<pid>/stat values.
    char state = '?';
    std::uint64_t threads = 0, vsize = 0, rss_pages = 0;
    Counters cur;
  };
  struct Group {
    std::string name;
    bool declared = false;
    std::optional<std::uint64_t> min, max;
    Counters total;
    std::uint64_t errors_permission = 0, errors_vanished = 0;
    // Gauges of the last scan.
    std::uint64_t procs = 0, threads = 0, rss = 0, vsize = 0, swap = 0, pss = 0, swap_pss = 0;
    std::uint64_t fds = 0, worst_limit = 0;
    double worst_ratio = 0;
    std::optional<std::uint64_t> oldest_start;  // ticks after boot
    std::array<std::uint64_t, 5> states{};      // Running, Sleeping, Waiting, Zombie, Other
  };

  procfs::Result<void> Scan();
  void Visit(const ProcessEntry& entry);  // one process of this scan
  void Resolve(int pid, Tracked& t, std::string_view comm);
  int ResolveAncestry(Tracked& t, int depth);
  int GroupFor(const std::string& name);
  void ResetGauges();
  void CollectMember(int pid, Tracked& t);  // reads status, io, fds; adds to the group

  const procfs::ProcFs& proc_;
  std::shared_ptr<ProcessTable> table_;
  ProcessTable::Cursor cursor_;
  int self_pid_ = 0;
  bool self_only_ = false;
  std::vector<ProcessEntry> self_entry_;  // the self-only scan's "pass": 0 or 1 entry
  procfs::FdCounter fds_;
  config::ProcessCollectorConfig options_;
  ProcessMatcher matcher_;
  bool any_children_ = false;
  UserNames users_;
  std::optional<std::uint64_t> boot_time_;
  std::uint64_t scan_ = 0;
  bool first_scan_ = false;
  std::uint64_t folded_ = 0;  // processes put into the overflow group
  int overflow_ = -1;
  std::unordered_map<int, Tracked> tracked_;
  std::vector<Group> groups_;
  std::unordered_map<std::string, int> group_index_;
  std::vector<int> pending_;  // new processes no entry matched, for the ancestry pass
  std::string buffer_, aux_buffer_;

  mutable std::mutex counts_mutex_;  // guards counts_
  std::vector<GroupCount> counts_;
};

}  // namespace vitals::collectors
