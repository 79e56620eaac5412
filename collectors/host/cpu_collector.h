#pragma once
// node_exporter's "cpu" collector: node_cpu_seconds_total{cpu,mode} and
// node_cpu_guest_seconds_total{cpu,mode} from the per-CPU lines of /proc/stat.

#include <array>
#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/procfs/stat.h"

namespace vitals::collectors {

class CpuCollector : public Collector {
 public:
  explicit CpuCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "cpu"; }
  std::span<const MetricDesc> Describe() const override;
  procfs::Result<void> Collect(MetricSink& out) override;

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
  // Last exported seconds per CPU and mode (-1: none yet): some kernels let
  // idle/iowait run backwards by a tick; a counter must not, so a drop is held,
  // unless idle drops by 3 s or more, which is a hotplug that resets the CPU
  // (node_exporter does the same).
  std::vector<std::array<double, procfs::CpuTimes::kModes>> last_;
  std::vector<std::string> cpu_labels_;
};

}  // namespace vitals::collectors
