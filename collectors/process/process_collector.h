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
// no capability, a file this kernel lacks) is left out of open_filedesc /
// worst_fd_ratio / the io counters and counted in
// namedprocess_namegroup_read_errors_total{reason}; a process whose stat
// cannot be read cannot be placed in a group and is counted in
// vitals_process_groups_unreadable_total (process-exporter's
// namedprocess_scrape_procread_errors, named to pass promtool).
//
// When no entry can match a process other than the agent (only `self`
// entries without `children`, or no entries), it reads only the agent's own
// /proc/<pid>/stat and lists nothing: the embedded default costs one process.
//
// One collector serves the scrape and the health sampler (one set of
// counters, one tracked table), and a reload re-groups it in place (Apply).
//
// Thread contract: every public method may be called from any thread; a
// mutex serializes them.

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "collectors/collector.h"
#include "collectors/process_table.h"
#include "collectors/process/process_grouping.h"
#include "collectors/procfs/pid_fd.h"
#include "config/process_groups.h"

namespace vitals::collectors {

class ProcessCollector : public Collector {
 public:
  // Receives a warning when groups start to fold into the overflow group
  // (called with the collector's lock held; must not call back into it).
  using WarningHandler = std::function<void(const std::string&)>;

  // `table`: the pass over /proc shared with other collectors; null makes a
  // private one.
  ProcessCollector(const procfs::ProcFs& proc, const std::vector<config::ProcessGroupConfig>& groups,
                   const config::ProcessCollectorConfig& options,
                   std::shared_ptr<ProcessTable> table = nullptr, WarningHandler warn = nullptr);

  std::string_view name() const override { return "process"; }
  std::span<const MetricDesc> Describe() const override;
  procfs::Result<void> Collect(MetricSink& out) override;

  // Replaces the grouping (a config reload) and scans once to take every
  // process's baseline. Every process is matched again under the new
  // entries; a group the new config still produces, by name, keeps its
  // counters (a process that moves adds only what it does after the
  // reload, so nothing is counted twice); groups it no longer produces are
  // no longer reported. Returns the new entries' setup warnings.
  std::vector<std::string> Apply(const std::vector<config::ProcessGroupConfig>& groups,
                                 const config::ProcessCollectorConfig& options);

  // Every group's values from a scan made now, for the health sampler: the
  // same numbers namedprocess_namegroup_* reports.
  struct GroupValues {
    std::string name;
    std::uint64_t num_procs = 0, num_threads = 0, rss_bytes = 0, open_fds = 0;
    double worst_fd_ratio = 0;
    double cpu_seconds = 0;  // user + system, cumulative
  };
  procfs::Result<std::vector<GroupValues>> Sample();

  // Problems found setting up the entries (e.g. an unknown user), for the log.
  std::vector<std::string> warnings() const;
  // True when only the agent's own process is read (see above).
  bool self_only() const;

 private:
  // The counters a process accumulates, in the kernel's units.
  struct Counters {
    std::uint64_t utime = 0, stime = 0, minflt = 0, majflt = 0;
    std::uint64_t read_bytes = 0, write_bytes = 0, vcsw = 0, nvcsw = 0;
  };
  // What is kept of a process between scans (this scan's stat values are in
  // its ProcessEntry).
  struct Tracked {
    std::uint64_t starttime = 0;  // with the pid, the identity of a process
    std::uint64_t seen_scan = 0;
    int group = -1;  // index into groups_, as grouping_ placed it; -1: in no group
    bool fresh = false;  // started after a baseline scan: count from zero
    bool stat_seen = false, status_seen = false, io_seen = false;
    bool limits_read = false;
    std::uint8_t errors_counted = 0;  // bit per Reason: a process counts once per reason
    std::optional<std::uint64_t> fd_limit;  // soft RLIMIT_NOFILE, cached
    Counters last;
  };
  // Why a read of a member's file failed (read_errors_total{reason}).
  enum Reason { kPermission, kVanished, kError, kReasonCount };
  struct Group {
    std::string name;
    Counters total;
    std::array<std::uint64_t, kReasonCount> errors{};
    // Gauges of the last scan.
    std::uint64_t procs = 0, threads = 0, rss = 0, vsize = 0, swap = 0, pss = 0, swap_pss = 0;
    std::uint64_t fds = 0, worst_limit = 0;
    double worst_ratio = 0;
    bool worst_known = false;  // some member's fds and limit were read
    std::optional<std::uint64_t> oldest_start;  // ticks after boot
    std::array<std::uint64_t, 5> states{};      // Running, Sleeping, Waiting, Zombie, Other
  };

  void Configure(const std::vector<config::ProcessGroupConfig>& groups);
  procfs::Result<void> Scan();
  void Visit(const ProcessEntry& entry);  // one process of this scan
  ProcessGrouping Grouping(const std::vector<config::ProcessGroupConfig>& groups);
  int GroupFor(const std::string& name);
  int AddGroup(const std::string& name);
  void ResetGauges();
  // Reads status, io, fds (and limits, smaps) and adds the process to its group.
  void CollectMember(const ProcessEntry& entry, Tracked& t);
  // Files of a live process that fail to read count as kError, of one that
  // exited (or whose pid now names another process) as kVanished.
  Reason ReasonFor(const procfs::Error& error, int pid, const Tracked& t);
  void CountError(Group& g, Tracked& t, Reason reason);

  const procfs::ProcFs& proc_;
  std::shared_ptr<ProcessTable> table_;
  const WarningHandler warn_;
  const int self_pid_;
  procfs::FdCounter fds_;

  mutable std::mutex mutex_;  // guards everything below: Collect, Sample and Apply come from
                              // the scrape, the health scheduler and a reload
  ProcessTable::Cursor cursor_;
  bool self_only_ = false;
  std::vector<ProcessEntry> self_entry_;  // the self-only scan's "pass": 0 or 1 entry
  config::ProcessCollectorConfig options_;
  ProcessGrouping grouping_;  // its GroupNumber is GroupFor
  std::optional<std::uint64_t> boot_time_;
  std::uint64_t scan_ = 0;
  bool baseline_scan_ = true;  // processes first seen in this scan count from now
  // Processes put into the overflow group. The scan that creates it (the
  // first fold since the start or the last Apply) is logged through warn_;
  // later folds are only counted.
  std::uint64_t folded_ = 0;
  std::uint64_t unreadable_ = 0;  // processes whose stat could not be read (in no group)
  std::unordered_set<int> unreadable_pids_, unreadable_scan_;  // last scan's and this one's:
                                                              // each is counted once
  int overflow_ = -1;
  std::unordered_map<int, Tracked> tracked_;
  std::vector<Group> groups_;
  std::unordered_map<std::string, int> group_index_;
  // Groups before the last Apply(), by name, until its first scan: a group
  // the new config produces again continues their counters.
  std::unordered_map<std::string, Group> previous_;
  // New processes no entry matched, placed by their ancestors at the end of
  // the scan (into this scan's pass).
  std::vector<const ProcessEntry*> pending_;
  std::string buffer_, aux_buffer_;
};

}  // namespace vitals::collectors
