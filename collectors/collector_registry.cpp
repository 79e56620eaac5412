#include "collectors/collector_registry.h"

#include "collectors/host/cpu_collector.h"
#include "collectors/host/filefd_collector.h"
#include "collectors/host/loadavg_collector.h"
#include "collectors/host/meminfo_collector.h"
#include "collectors/host/processes_collector.h"
#include "collectors/host/stat_collector.h"

namespace vitals::collectors {

const CollectorInfo* CollectorRegistry::Find(std::string_view name) const {
  for (const auto& info : all_) {
    if (info.name == name) {
      return &info;
    }
  }
  return nullptr;
}

namespace {
template <class T>
CollectorFactory Make() {
  return [](const CollectorContext& ctx) -> std::unique_ptr<Collector> {
    return std::make_unique<T>(ctx);
  };
}
}  // namespace

void RegisterBuiltinCollectors(CollectorRegistry& registry) {
  registry.Register({"cpu", "Seconds the CPUs spent in each mode, from /proc/stat", true,
                     Make<CpuCollector>()});
  registry.Register({"filefd", "File handle allocation, from /proc/sys/fs/file-nr", true,
                     Make<FilefdCollector>()});
  registry.Register({"loadavg", "Load averages, from /proc/loadavg", true,
                     Make<LoadavgCollector>()});
  registry.Register({"meminfo", "Memory statistics, from /proc/meminfo", true,
                     Make<MeminfoCollector>()});
  registry.Register({"processes", "Process and thread counts by state, from /proc/<pid>/stat",
                     true, Make<ProcessesCollector>()});
  registry.Register({"stat", "Boot time, context switches, forks and interrupts, from /proc/stat",
                     true, Make<StatCollector>()});
}

}  // namespace vitals::collectors
