// node_exporter's "processes" collector: process and thread counts by state
// from /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat, and the kernel's
// pid_max and threads-max limits. The <pid>/stat pass comes from a
// ProcessTable shared with the process groups (the context's, or its own).

#include <array>
#include <memory>

#include "collectors/collector_registry.h"
#include "collectors/process_table.h"
#include "collectors/procfs/pid_stat.h"
#include "collectors/procfs/sysctl.h"

namespace vitals::collectors {

namespace {
using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_processes_max_processes", "Number of max PIDs limit", MetricType::Gauge, {}},
    {"node_processes_max_threads", "Limit of threads in the system", MetricType::Gauge, {}},
    {"node_processes_pids", "Number of PIDs", MetricType::Gauge, {}},
    {"node_processes_state", "Number of processes in each state.", MetricType::Gauge, {"state"}},
    {"node_processes_threads", "Allocated threads in system", MetricType::Gauge, {}},
    {"node_processes_threads_state", "Number of threads in each state.", MetricType::Gauge,
     {"thread_state"}},
};

// An exited process is not an error: it raced the listing.
bool Vanished(const procfs::Error& e) { return e.code == procfs::Errc::kVanished; }

class ProcessesCollector : public Collector {
 public:
  explicit ProcessesCollector(const CollectorContext& ctx)
      : proc_(ctx.proc),
        table_(ctx.process_table ? ctx.process_table : std::make_shared<ProcessTable>(ctx.proc)) {}
  std::string_view name() const override { return "processes"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }
  procfs::Result<void> Collect(MetricSink& out) override;

 private:
  const procfs::ProcFs& proc_;
  std::shared_ptr<ProcessTable> table_;
  ProcessTable::Cursor cursor_;
  std::string buffer_;
  std::string path_;
};

procfs::Result<void> ProcessesCollector::Collect(MetricSink& out) {
  auto pid_max = procfs::ReadSysctlNumber(proc_, "sys/kernel/pid_max", buffer_);
  if (!pid_max) {
    return pid_max.error();
  }
  auto threads_max = procfs::ReadSysctlNumber(proc_, "sys/kernel/threads-max", buffer_);
  if (!threads_max) {
    return threads_max.error();
  }
  auto pass = table_->Read(cursor_);
  if (!pass) {
    return pass.error();
  }
  std::array<std::uint64_t, 256> proc_states{};
  std::array<std::uint64_t, 256> thread_states{};
  std::uint64_t processes = 0, threads = 0;
  for (const ProcessEntry& entry : (*pass)->processes) {
    const int pid = entry.pid;
    if (entry.error) {
      if (Vanished(*entry.error)) {
        continue;
      }
      return *entry.error;
    }
    const procfs::PidStat* stat = &entry.stat;
    ++processes;
    threads += stat->num_threads;
    ++proc_states[static_cast<unsigned char>(stat->state)];

    if (stat->num_threads <= 1) {
      // Only the leader, whose state <pid>/stat just gave: listing task/
      // would find nothing else (most processes; the listing is an open and
      // a getdents each, a good part of this collector's cost).
      ++thread_states[static_cast<unsigned char>(stat->state)];
      continue;
    }
    path_ = std::to_string(pid) + "/task";
    auto tids = proc_.NumericEntries(path_);
    if (!tids) {
      if (tids.error().code == procfs::Errc::kNotFound) {
        continue;  // exited after its stat was read
      }
      return tids.error();
    }
    for (int tid : *tids) {
      // <pid>/stat shows the thread-group leader, the same task as
      // <pid>/task/<pid>/stat: reuse its state rather than read it again
      // (most processes have only the leader, and reads are the cost here).
      if (tid == pid) {
        ++thread_states[static_cast<unsigned char>(stat->state)];
        continue;
      }
      path_ = std::to_string(pid) + "/task/" + std::to_string(tid) + "/stat";
      auto task = procfs::ReadPidStatAt(proc_, path_, buffer_);
      if (!task) {
        if (Vanished(task.error())) {
          continue;
        }
        return task.error();
      }
      ++thread_states[static_cast<unsigned char>(task->state)];
    }
  }
  out.Add(kDescs[0], static_cast<double>(*pid_max));
  out.Add(kDescs[1], static_cast<double>(*threads_max));
  out.Add(kDescs[2], static_cast<double>(processes));
  out.Add(kDescs[4], static_cast<double>(threads));
  for (unsigned c = 0; c < 256; ++c) {
    char letter = static_cast<char>(c);
    std::string_view state(&letter, 1);
    if (proc_states[c] != 0) {
      out.Add(kDescs[3], static_cast<double>(proc_states[c]), {state});
    }
    if (thread_states[c] != 0) {
      out.Add(kDescs[5], static_cast<double>(thread_states[c]), {state});
    }
  }
  return {};
}

}  // namespace

VITALS_REGISTER_COLLECTOR(processes,
                          "Process and thread counts by state, from /proc/<pid>/stat", kEnabled,
                          {}, ProcessesCollector);

}  // namespace vitals::collectors
