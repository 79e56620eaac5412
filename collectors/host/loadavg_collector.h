#pragma once
// node_exporter's "loadavg" collector: node_load1, node_load5, node_load15.

#include <string>

#include "collectors/collector.h"

namespace vitals::collectors {

class LoadavgCollector : public Collector {
 public:
  explicit LoadavgCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "loadavg"; }
  std::span<const MetricDesc> Describe() const override;
  procfs::Result<void> Collect(MetricSink& out) override;

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace vitals::collectors
