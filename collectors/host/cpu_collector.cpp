#include "collectors/host/cpu_collector.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", MetricType::Counter,
     {"cpu", "mode"}},
    {"node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.",
     MetricType::Counter, {"cpu", "mode"}},
};
const MetricDesc& kSeconds = kDescs[0];
const MetricDesc& kGuest = kDescs[1];

using Mode = procfs::CpuTimes::Mode;
constexpr std::string_view kModeNames[] = {"user", "nice", "system", "idle", "iowait",
                                           "irq", "softirq", "steal", "user", "nice"};
// An idle counter that drops by this much or more is a CPU hotplug (all of the
// CPU's counters restart), not jitter; node_exporter uses the same bound.
constexpr double kJumpBackSeconds = 3.0;

}  // namespace

std::span<const MetricDesc> CpuCollector::Describe() const { return kDescs; }

procfs::Result<void> CpuCollector::Collect(MetricSink& out) {
  auto stat = procfs::ReadStat(proc_, buffer_);
  if (!stat) {
    return stat.error();
  }
  const double ticks = static_cast<double>(proc_.system().ticks_per_second);
  for (const procfs::CpuTimes& cpu : stat->cpus) {
    auto index = static_cast<std::size_t>(cpu.cpu);
    if (index >= last_.size()) {
      last_.resize(index + 1, {});
      last_[index].fill(-1);
    }
    while (cpu_labels_.size() <= index) {
      cpu_labels_.push_back(std::to_string(cpu_labels_.size()));
    }
    auto& last_seen = last_[index];
    if (cpu.columns > Mode::kIdle) {
      double idle = static_cast<double>(cpu.ticks[Mode::kIdle]) / ticks;
      if (last_seen[Mode::kIdle] - idle >= kJumpBackSeconds) {
        last_seen.fill(-1);  // hotplug: start over from the new values
      }
    }
    for (int m = 0; m < cpu.columns; ++m) {
      auto mode = static_cast<std::size_t>(m);
      double seconds = static_cast<double>(cpu.ticks[mode]) / ticks;
      double& last = last_seen[mode];
      // A counter must not go backwards: hold the last value (a kernel may
      // let idle or iowait slip back by a tick).
      if (seconds < last) {
        seconds = last;
      }
      last = seconds;
      const MetricDesc& desc = (m == Mode::kGuest || m == Mode::kGuestNice) ? kGuest : kSeconds;
      out.Add(desc, seconds, {cpu_labels_[index], kModeNames[mode]});
    }
  }
  return {};
}

}  // namespace vitals::collectors
