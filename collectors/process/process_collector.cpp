#include "collectors/process/process_collector.h"

#include <algorithm>

#include "collectors/process/process_matcher.h"
#include "collectors/procfs/parse_util.h"
#include "collectors/procfs/pid_io.h"
#include "collectors/procfs/pid_limits.h"
#include "collectors/procfs/pid_stat.h"
#include "collectors/procfs/pid_status.h"
#include "collectors/procfs/stat.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
enum Desc {
  kNumProcs, kCpu, kReadBytes, kWriteBytes, kMajorFaults, kMinorFaults, kCtxSwitches, kMemory,
  kOpenFds, kWorstFdRatio, kOldestStart, kNumThreads, kStates, kWorstFdLimit, kReadErrors,
  kFolded, kUnreadable, kDescCount
};
// HELP texts and label names are process-exporter's, so its dashboards and
// alerts work unchanged; the last three are ours.
const MetricDesc kDescs[kDescCount] = {
    {"namedprocess_namegroup_num_procs", "number of processes in this group", MetricType::Gauge,
     {"groupname"}},
    {"namedprocess_namegroup_cpu_seconds_total", "Cpu user usage in seconds", MetricType::Counter,
     {"groupname", "mode"}},
    {"namedprocess_namegroup_read_bytes_total", "number of bytes read by this group",
     MetricType::Counter, {"groupname"}},
    {"namedprocess_namegroup_write_bytes_total", "number of bytes written by this group",
     MetricType::Counter, {"groupname"}},
    {"namedprocess_namegroup_major_page_faults_total", "Major page faults", MetricType::Counter,
     {"groupname"}},
    {"namedprocess_namegroup_minor_page_faults_total", "Minor page faults", MetricType::Counter,
     {"groupname"}},
    {"namedprocess_namegroup_context_switches_total", "Context switches", MetricType::Counter,
     {"ctxswitchtype", "groupname"}},
    {"namedprocess_namegroup_memory_bytes", "number of bytes of memory in use", MetricType::Gauge,
     {"groupname", "memtype"}},
    {"namedprocess_namegroup_open_filedesc", "number of open file descriptors for this group",
     MetricType::Gauge, {"groupname"}},
    {"namedprocess_namegroup_worst_fd_ratio",
     "the worst (closest to 1) ratio between open fds and max fds among all procs in this group",
     MetricType::Gauge, {"groupname"}},
    {"namedprocess_namegroup_oldest_start_time_seconds",
     "start time in seconds since 1970/01/01 of oldest process in group", MetricType::Gauge,
     {"groupname"}},
    {"namedprocess_namegroup_num_threads", "Number of threads", MetricType::Gauge, {"groupname"}},
    {"namedprocess_namegroup_states",
     "Number of processes in states Running, Sleeping, Waiting, Zombie, or Other",
     MetricType::Gauge, {"groupname", "state"}},
    {"namedprocess_namegroup_worst_fd_limit",
     "the open files soft limit of the process with the worst fd ratio in this group",
     MetricType::Gauge, {"groupname"}},
    {"namedprocess_namegroup_read_errors_total",
     "processes of this group that could not be read in full, each counted once per reason "
     "(permission: fd/ or io unreadable; vanished: exited mid-read; error: the process lives but "
     "a file is missing or malformed); their unknown values are left out, not counted as 0",
     MetricType::Counter, {"groupname", "reason"}},
    {"vitals_process_groups_folded_total",
     "processes put into the _overflow group because process_collector.max_groups was reached",
     MetricType::Counter, {}},
    {"vitals_process_groups_unreadable_total",
     "processes whose stat could not be read other than by their exit (hidepid, a malformed "
     "file), so they could not be placed in a group; each counted once (process-exporter's "
     "namedprocess_scrape_procread_errors)",
     MetricType::Counter, {}},
};

constexpr std::string_view kReasonNames[] = {"permission", "vanished", "error"};

constexpr std::string_view kStateNames[] = {"Running", "Sleeping", "Waiting", "Zombie", "Other"};

int StateIndex(char state) {
  switch (state) {
    case 'R': return 0;
    case 'S': return 1;
    case 'D': return 2;
    case 'Z': return 3;
    default: return 4;
  }
}

// Empties a container and frees its storage (clear() keeps the capacity, or
// a hash table's buckets).
template <class Container>
void ReleaseMemory(Container& c) {
  Container().swap(c);
}

// Adds the increase since the last scan to `total`. The first time a value is
// seen it is the baseline, unless the process started after the first scan.
void Accumulate(std::uint64_t& total, std::uint64_t& last, std::uint64_t cur, bool seen,
                bool fresh) {
  std::uint64_t base = seen ? last : (fresh ? 0 : cur);
  if (cur >= base) {
    total += cur - base;
  }
  last = cur;
}

// Pss and SwapPss in bytes from /proc/<pid>/smaps_rollup (proc(5)).
bool ParseSmapsRollup(std::string_view text, std::uint64_t* pss, std::uint64_t* swap_pss) {
  bool found = false;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::uint64_t* dst = line.substr(0, 4) == "Pss:" ? pss
                         : line.substr(0, 8) == "SwapPss:" ? swap_pss
                                                            : nullptr;
    if (dst == nullptr) {
      continue;
    }
    std::string_view value = procfs::detail::TrimSpace(line.substr(line.find(':') + 1));
    if (value.size() > 3 && value.substr(value.size() - 3) == " kB") {
      value = procfs::detail::TrimSpace(value.substr(0, value.size() - 3));
    }
    auto kb = procfs::detail::ToU64(value);
    if (!kb) {
      return false;
    }
    *dst = *kb * 1024;
    found = true;
  }
  return found;
}

}  // namespace

ProcessCollector::ProcessCollector(const procfs::ProcFs& proc,
                                   const std::vector<config::ProcessGroupConfig>& groups,
                                   const config::ProcessCollectorConfig& options,
                                   std::shared_ptr<ProcessTable> table, WarningHandler warn)
    : proc_(proc),
      table_(table ? std::move(table) : std::make_shared<ProcessTable>(proc)),
      warn_(std::move(warn)),
      self_pid_(SelfPid(proc)),
      fds_(proc),
      options_(options),
      grouping_(Grouping(groups)) {
  std::lock_guard lock(mutex_);
  Configure(groups);
  // The first scan sets every running process's baseline, as process-exporter
  // does when it starts; a failure here shows on the first scrape instead.
  (void)Scan();
}

std::span<const MetricDesc> ProcessCollector::Describe() const { return kDescs; }

std::vector<std::string> ProcessCollector::warnings() const {
  std::lock_guard lock(mutex_);
  return grouping_.warnings();
}

bool ProcessCollector::self_only() const {
  std::lock_guard lock(mutex_);
  return self_only_;
}

ProcessGrouping ProcessCollector::Grouping(const std::vector<config::ProcessGroupConfig>& groups) {
  return ProcessGrouping(proc_, groups, self_pid_,
                         [this](const std::string& name) { return GroupFor(name); });
}

// Sets up groups_ for `groups` (grouping_ is already built from them): the
// fixed-name groups exist from now on, continuing a previous group's
// counters when there was one of that name.
void ProcessCollector::Configure(const std::vector<config::ProcessGroupConfig>& groups) {
  self_only_ = std::all_of(groups.begin(), groups.end(),
                           [](const auto& g) { return g.self && !g.children; });
  for (const auto& g : groups) {
    if (g.name.fixed()) {
      (void)AddGroup(ToValidUtf8(g.name.FixedName()));
    }
  }
}

std::vector<std::string> ProcessCollector::Apply(
    const std::vector<config::ProcessGroupConfig>& groups,
    const config::ProcessCollectorConfig& options) {
  std::lock_guard lock(mutex_);
  grouping_ = Grouping(groups);
  options_ = options;
  decltype(previous_) previous;
  for (auto& g : groups_) {
    previous.emplace(g.name, std::move(g));
  }
  previous_.swap(previous);
  // Fresh containers: clear() would keep the old config's capacity (5,000
  // groups' worth after a reload back to a few).
  ReleaseMemory(groups_);
  ReleaseMemory(group_index_);
  overflow_ = -1;
  for (auto& [pid, t] : tracked_) {
    // Matched again in the next scan; the last values stay, so a process
    // adds only what it does from now on, whichever group it lands in.
    t.group = -1;
    t.fresh = false;
    t.errors_counted = 0;  // counted again in the group it lands in
  }
  Configure(groups);
  baseline_scan_ = true;
  (void)Scan();
  return grouping_.warnings();
}

int ProcessCollector::AddGroup(const std::string& name) {
  auto [it, inserted] = group_index_.try_emplace(name, static_cast<int>(groups_.size()));
  if (inserted) {
    auto old = previous_.find(name);
    Group& g = groups_.emplace_back();
    if (old != previous_.end()) {
      g.total = old->second.total;
      g.errors = old->second.errors;
    }
    g.name = name;
  }
  return it->second;
}

int ProcessCollector::GroupFor(const std::string& name) {
  auto it = group_index_.find(name);
  if (it != group_index_.end()) {
    return it->second;
  }
  std::size_t named = groups_.size() - (overflow_ >= 0 ? 1 : 0);
  if (named >= options_.max_groups) {
    ++folded_;
    if (overflow_ < 0) {
      overflow_ = AddGroup(std::string(config::kOverflowGroup));
    }
    return overflow_;
  }
  return AddGroup(name);
}

void ProcessCollector::Visit(const ProcessEntry& entry) {
  const int pid = entry.pid;
  if (entry.error) {
    auto it = tracked_.find(pid);
    Tracked* t = it != tracked_.end() && it->second.group >= 0 ? &it->second : nullptr;
    const procfs::Errc code = entry.error->code;
    if (code == procfs::Errc::kVanished || code == procfs::Errc::kNotFound) {
      if (t != nullptr) {
        CountError(groups_[static_cast<std::size_t>(t->group)], *t, kVanished);
      }
      return;  // gone before we could read it: not in this scan
    }
    // Alive but unreadable (hidepid, a malformed stat): a new process cannot
    // be placed in a group; it is left out of this scan and counted once.
    unreadable_scan_.insert(pid);
    unreadable_ += unreadable_pids_.count(pid) ? 0 : 1;
    if (t != nullptr) {
      CountError(groups_[static_cast<std::size_t>(t->group)], *t,
                 code == procfs::Errc::kPermission ? kPermission : kError);
      t->seen_scan = scan_;  // kept: the same process, if it becomes readable again
      grouping_.Keep(pid);
    }
    return;
  }
  const procfs::PidStat& stat = entry.stat;
  auto [it, inserted] = tracked_.try_emplace(pid);
  Tracked& t = it->second;
  if (!inserted && t.starttime != stat.starttime) {
    t = Tracked{};  // the pid was reused: a new process
    inserted = true;
  }
  if (inserted) {
    t.starttime = stat.starttime;
    t.fresh = !baseline_scan_;
  }
  t.seen_scan = scan_;
  t.group = grouping_.Place(pid, stat);
  if (t.group == ProcessGrouping::kByAncestors) {
    t.group = -1;
    pending_.push_back(&entry);
  } else if (t.group >= 0) {
    CollectMember(entry, t);
  }
}

procfs::Result<void> ProcessCollector::Scan() {
  if (!boot_time_) {
    auto stat = procfs::ReadStat(proc_, buffer_);
    if (!stat) {
      return stat.error();
    }
    boot_time_ = stat->boot_time;
  }
  // Only the processes a group can hold: just the agent's own, or all of
  // them from the pass shared with "processes" (made earlier in this
  // scrape), or else from a pass made here, reading each process's stat
  // right before its other files, and then shared.
  std::shared_ptr<const ProcessPass> shared;
  std::shared_ptr<ProcessPass> own;
  std::vector<int> pids;
  const auto started = std::chrono::steady_clock::now();
  if (self_only_) {
    self_entry_.clear();
    if (self_pid_ != 0) {
      table_->ReadEntry(self_pid_, self_entry_.emplace_back(), buffer_);
    }
  } else if (!(shared = table_->Share(cursor_))) {
    auto listed = proc_.Pids();
    if (!listed) {
      return listed.error();
    }
    pids = std::move(*listed);
    own = table_->Begin();
    own->processes.resize(pids.size());
  }
  ++scan_;
  const bool overflowing = overflow_ >= 0;
  const std::uint64_t folded_before = folded_;
  if (grouping_.BeginPass()) {
    // A pidfile now names another process: every process is placed again.
    // Totals stay with the groups, and each process keeps its last values,
    // so nothing is counted twice.
    for (auto& [pid, t] : tracked_) {
      t.group = -1;
      t.errors_counted = 0;
    }
  }
  pending_.clear();
  unreadable_scan_.clear();
  ResetGauges();
  if (own) {
    for (std::size_t i = 0; i < pids.size(); ++i) {
      table_->ReadEntry(pids[i], own->processes[i], buffer_);
      Visit(own->processes[i]);
    }
  } else {
    for (const ProcessEntry& entry : shared ? shared->processes : self_entry_) {
      Visit(entry);
    }
  }
  // New processes no entry matched may join an ancestor's group.
  grouping_.EndPass();
  for (const ProcessEntry* entry : pending_) {
    Tracked& t = tracked_[entry->pid];
    t.group = grouping_.Group(entry->pid);
    if (t.group >= 0 && t.seen_scan == scan_) {
      CollectMember(*entry, t);
    }
  }
  pending_.clear();  // points into the pass
  if (own) {
    table_->Publish(std::move(own), cursor_, started);
  }
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    it = it->second.seen_scan == scan_ ? std::next(it) : tracked_.erase(it);
  }
  unreadable_pids_.swap(unreadable_scan_);
  if (!overflowing && overflow_ >= 0 && warn_) {
    warn_("more groups than process_collector.max_groups (" + std::to_string(options_.max_groups) +
          "): " + std::to_string(folded_ - folded_before) + " processes put into the " +
          std::string(config::kOverflowGroup) +
          " group; vitals_process_groups_folded_total counts the later ones (logged again "
          "after a reload only)");
  }
  if (baseline_scan_) {
    // The groups this config produces now have taken their counters; a
    // group that comes back later starts again (a counter reset).
    ReleaseMemory(previous_);
  }
  baseline_scan_ = false;
  return {};
}

void ProcessCollector::ResetGauges() {
  for (auto& g : groups_) {
    g.procs = g.threads = g.rss = g.vsize = g.swap = g.pss = g.swap_pss = 0;
    g.fds = g.worst_limit = 0;
    g.worst_ratio = 0;
    g.worst_known = false;
    g.oldest_start.reset();
    g.states = {};
  }
}

ProcessCollector::Reason ProcessCollector::ReasonFor(const procfs::Error& error, int pid,
                                                     const Tracked& t) {
  if (error.code == procfs::Errc::kPermission) {
    return kPermission;
  }
  // ReadPidFile says "vanished" for any missing file; a kernel without
  // task I/O accounting has no io file at all. Tell by the stat: still
  // there, with the same start time, is the same live process.
  auto stat = procfs::ReadPidStat(proc_, pid, aux_buffer_);
  return stat && stat->starttime == t.starttime ? kError : kVanished;
}

void ProcessCollector::CountError(Group& g, Tracked& t, Reason reason) {
  const auto bit = static_cast<std::uint8_t>(1u << reason);
  if ((t.errors_counted & bit) == 0) {
    t.errors_counted |= bit;
    ++g.errors[reason];
  }
}

void ProcessCollector::CollectMember(const ProcessEntry& entry, Tracked& t) {
  const int pid = entry.pid;
  const procfs::PidStat& stat = entry.stat;
  const auto& info = proc_.system();
  Group& g = groups_[static_cast<std::size_t>(t.group)];
  // A failed read leaves its values out; a process that exited meanwhile
  // leaves the scan altogether (its counters were committed last time), and
  // the grouping, so no descendant joins a group through it.
  auto failed = [&](const procfs::Error& error) {
    Reason reason = ReasonFor(error, pid, t);
    CountError(g, t, reason);
    if (reason != kVanished) {
      return false;
    }
    t.seen_scan = 0;  // dropped at the end of the scan
    grouping_.Forget(pid);
    return true;
  };
  auto status = procfs::ReadPidStatus(proc_, pid, buffer_);
  if (!status && failed(status.error())) {
    return;
  }
  std::uint64_t vcsw = 0, nvcsw = 0, swap = 0;
  if (status) {
    swap = status->vm_swap_bytes.value_or(0);
    vcsw = status->voluntary_ctxt_switches;
    nvcsw = status->nonvoluntary_ctxt_switches;
  }
  auto io = procfs::ReadPidIo(proc_, pid, buffer_);
  if (!io && failed(io.error())) {
    return;
  }
  auto fds = fds_.Count(pid);
  if (!fds && failed(fds.error())) {
    return;
  }
  if (!t.limits_read) {
    auto limits = procfs::ReadPidLimits(proc_, pid, buffer_);
    if (limits) {
      t.fd_limit = limits->open_files.soft;
      t.limits_read = true;
    } else if (failed(limits.error())) {
      return;
    } else {
      t.limits_read = limits.error().code == procfs::Errc::kPermission;  // no use retrying
    }
  }
  std::uint64_t pss = 0, swap_pss = 0;
  if (options_.smaps) {
    auto smaps = proc_.ReadPidFile(pid, "smaps_rollup", buffer_);
    if (!smaps && failed(smaps.error())) {
      return;
    }
    // Kernel threads and zombies have no memory map: an empty file, and 0.
    if (smaps && !smaps->empty() && !ParseSmapsRollup(*smaps, &pss, &swap_pss)) {
      CountError(g, t, kError);
    }
  }

  // Every read succeeded or is known to have failed: commit.
  const bool fresh = t.fresh;
  auto add = [fresh](std::uint64_t& total, std::uint64_t& last, std::uint64_t cur, bool seen) {
    Accumulate(total, last, cur, seen, fresh);
  };
  add(g.total.utime, t.last.utime, stat.utime, t.stat_seen);
  add(g.total.stime, t.last.stime, stat.stime, t.stat_seen);
  add(g.total.minflt, t.last.minflt, stat.minflt, t.stat_seen);
  add(g.total.majflt, t.last.majflt, stat.majflt, t.stat_seen);
  t.stat_seen = true;
  if (status) {
    add(g.total.vcsw, t.last.vcsw, vcsw, t.status_seen);
    add(g.total.nvcsw, t.last.nvcsw, nvcsw, t.status_seen);
    t.status_seen = true;
  }
  if (io) {
    add(g.total.read_bytes, t.last.read_bytes, io->read_bytes, t.io_seen);
    add(g.total.write_bytes, t.last.write_bytes, io->write_bytes, t.io_seen);
    t.io_seen = true;
  }
  ++g.procs;
  g.threads += stat.num_threads;
  g.rss += stat.rss * info.page_size;
  g.vsize += stat.vsize;
  g.swap += swap;
  g.pss += pss;
  g.swap_pss += swap_pss;
  ++g.states[static_cast<std::size_t>(StateIndex(stat.state))];
  if (!g.oldest_start || t.starttime < *g.oldest_start) {
    g.oldest_start = t.starttime;
  }
  if (fds) {
    g.fds += *fds;
    if (t.fd_limit && *t.fd_limit > 0) {
      double ratio = static_cast<double>(*fds) / static_cast<double>(*t.fd_limit);
      if (!g.worst_known || ratio >= g.worst_ratio) {
        g.worst_ratio = ratio;
        g.worst_limit = *t.fd_limit;
        g.worst_known = true;
      }
    }
  }
}

procfs::Result<void> ProcessCollector::Collect(MetricSink& out) {
  std::lock_guard lock(mutex_);
  if (auto r = Scan(); !r) {
    return r;
  }
  const auto& info = proc_.system();
  const double ticks = static_cast<double>(info.ticks_per_second);
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  for (const auto& g : groups_) {
    std::string_view n = g.name;
    out.Add(kDescs[kNumProcs], d(g.procs), {n});
    out.Add(kDescs[kCpu], d(g.total.utime) / ticks, {n, "user"});
    out.Add(kDescs[kCpu], d(g.total.stime) / ticks, {n, "system"});
    out.Add(kDescs[kReadBytes], d(g.total.read_bytes), {n});
    out.Add(kDescs[kWriteBytes], d(g.total.write_bytes), {n});
    out.Add(kDescs[kMajorFaults], d(g.total.majflt), {n});
    out.Add(kDescs[kMinorFaults], d(g.total.minflt), {n});
    out.Add(kDescs[kCtxSwitches], d(g.total.vcsw), {"voluntary", n});
    out.Add(kDescs[kCtxSwitches], d(g.total.nvcsw), {"nonvoluntary", n});
    out.Add(kDescs[kMemory], d(g.rss), {n, "resident"});
    out.Add(kDescs[kMemory], d(g.vsize), {n, "virtual"});
    out.Add(kDescs[kMemory], d(g.swap), {n, "swapped"});
    if (options_.smaps) {
      out.Add(kDescs[kMemory], d(g.pss), {n, "proportionalResident"});
      out.Add(kDescs[kMemory], d(g.swap_pss), {n, "proportionalSwapped"});
    }
    out.Add(kDescs[kOpenFds], d(g.fds), {n});
    out.Add(kDescs[kWorstFdRatio], g.worst_ratio, {n});
    // An empty group has no oldest process, and a group none of whose fd
    // counts could be read no worst one: leave those series out rather than
    // export a start time of 1970 or a limit of 0.
    if (g.worst_known) {
      out.Add(kDescs[kWorstFdLimit], d(g.worst_limit), {n});
    }
    if (g.oldest_start) {
      out.Add(kDescs[kOldestStart], d(*boot_time_) + d(*g.oldest_start) / ticks, {n});
    }
    out.Add(kDescs[kNumThreads], d(g.threads), {n});
    for (std::size_t i = 0; i < g.states.size(); ++i) {
      out.Add(kDescs[kStates], d(g.states[i]), {n, kStateNames[i]});
    }
    for (std::size_t i = 0; i < kReasonCount; ++i) {
      out.Add(kDescs[kReadErrors], d(g.errors[i]), {n, kReasonNames[i]});
    }
  }
  out.Add(kDescs[kFolded], d(folded_));
  out.Add(kDescs[kUnreadable], d(unreadable_));
  return {};
}

procfs::Result<std::vector<ProcessCollector::GroupValues>> ProcessCollector::Sample() {
  std::lock_guard lock(mutex_);
  if (auto r = Scan(); !r) {
    return r.error();
  }
  std::vector<GroupValues> out;
  out.reserve(groups_.size());
  const double ticks = static_cast<double>(proc_.system().ticks_per_second);
  for (const auto& g : groups_) {
    out.push_back({g.name, g.procs, g.threads, g.rss, g.fds, g.worst_ratio,
                   static_cast<double>(g.total.utime + g.total.stime) / ticks});
  }
  return out;
}

}  // namespace vitals::collectors
