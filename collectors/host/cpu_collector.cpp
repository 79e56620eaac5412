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
// A drop larger than this is a CPU hotplug (counters restart), not jitter.
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
    for (int m = 0; m < cpu.columns; ++m) {
      auto mode = static_cast<std::size_t>(m);
      double seconds = static_cast<double>(cpu.ticks[mode]) / ticks;
      double& last = last_[index][mode];
      if (seconds < last && last - seconds <= kJumpBackSeconds) {
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
