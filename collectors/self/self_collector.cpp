#include "collectors/self/self_collector.h"

#include "collectors/procfs/pid_limits.h"
#include "collectors/procfs/pid_stat.h"
#include "collectors/procfs/stat.h"

namespace vitals::collectors {

namespace {
using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
     MetricType::Counter, {}},
    {"process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge, {}},
    {"process_open_fds", "Number of open file descriptors.", MetricType::Gauge, {}},
    {"process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge, {}},
    {"process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
     MetricType::Gauge, {}},
    {"process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge, {}},
    {"process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.",
     MetricType::Gauge, {}},
};
}  // namespace

SelfCollector::SelfCollector(const procfs::ProcFs& real_proc)
    : proc_(real_proc), fds_(real_proc) {}

std::span<const MetricDesc> SelfCollector::Describe() const { return kDescs; }

procfs::Result<void> SelfCollector::Collect(MetricSink& out) {
  if (!boot_time_) {
    auto stat = procfs::ReadStat(proc_, buffer_);
    if (!stat) {
      return stat.error();
    }
    boot_time_ = stat->boot_time;
  }
  auto stat = procfs::ReadPidStatAt(proc_, "self/stat", buffer_);
  if (!stat) {
    return stat.error();
  }
  auto limits = procfs::ReadPidLimitsAt(proc_, "self/limits", buffer_);
  if (!limits) {
    return limits.error();
  }
  auto fds = fds_.CountAt("self/fd");
  if (!fds) {
    return fds.error();
  }
  const auto& info = proc_.system();
  out.Add(kDescs[0], stat->CpuSeconds(info));
  out.Add(kDescs[1], static_cast<double>(limits->open_files.soft));
  out.Add(kDescs[2], static_cast<double>(*fds));
  out.Add(kDescs[3], static_cast<double>(stat->RssBytes(info)));
  out.Add(kDescs[4], static_cast<double>(*boot_time_) +
                         static_cast<double>(stat->starttime) /
                             static_cast<double>(info.ticks_per_second));
  out.Add(kDescs[5], static_cast<double>(stat->vsize));
  out.Add(kDescs[6], static_cast<double>(limits->address_space.soft));
  return {};
}

}  // namespace vitals::collectors
