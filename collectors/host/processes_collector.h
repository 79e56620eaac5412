#pragma once
// node_exporter's "processes" collector: process and thread counts by state
// from /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat, and the kernel's
// pid_max and threads-max limits.

#include <string>

#include "collectors/collector.h"

namespace vitals::collectors {

class ProcessesCollector : public Collector {
 public:
  explicit ProcessesCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "processes"; }
  std::span<const MetricDesc> Describe() const override;
  procfs::Result<void> Collect(MetricSink& out) override;

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
  std::string path_;
};

}  // namespace vitals::collectors
