#include "collectors/host/stat_collector.h"

#include "collectors/procfs/stat.h"

namespace vitals::collectors {

namespace {
using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_boot_time_seconds", "Node boot time, in unixtime.", MetricType::Gauge, {}},
    {"node_context_switches_total", "Total number of context switches.", MetricType::Counter, {}},
    {"node_forks_total", "Total number of forks.", MetricType::Counter, {}},
    {"node_intr_total", "Total number of interrupts serviced.", MetricType::Counter, {}},
    {"node_procs_blocked", "Number of processes blocked waiting for I/O to complete.",
     MetricType::Gauge, {}},
    {"node_procs_running", "Number of processes in runnable state.", MetricType::Gauge, {}},
};
}  // namespace

std::span<const MetricDesc> StatCollector::Describe() const { return kDescs; }

procfs::Result<void> StatCollector::Collect(MetricSink& out) {
  auto stat = procfs::ReadStat(proc_, buffer_);
  if (!stat) {
    return stat.error();
  }
  const std::uint64_t values[] = {stat->boot_time, stat->context_switches, stat->forks,
                                  stat->interrupts, stat->procs_blocked, stat->procs_running};
  for (std::size_t i = 0; i < std::size(kDescs); ++i) {
    out.Add(kDescs[i], static_cast<double>(values[i]));
  }
  return {};
}

}  // namespace vitals::collectors
