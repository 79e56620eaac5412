#pragma once
// node_exporter's "stat" collector: boot time, context switches, forks,
// interrupts and running/blocked processes from /proc/stat.

#include <string>

#include "collectors/collector.h"

namespace vitals::collectors {

class StatCollector : public Collector {
 public:
  explicit StatCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "stat"; }
  std::span<const MetricDesc> Describe() const override;
  procfs::Result<void> Collect(MetricSink& out) override;

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace vitals::collectors
