#pragma once
// node_exporter's "processes" collector: process and thread counts by state
// from /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat, and the kernel's
// pid_max and threads-max limits. The <pid>/stat pass comes from a
// ProcessTable shared with the process groups (the context's, or its own).

#include <memory>
#include <string>

#include "collectors/collector.h"
#include "collectors/process_table.h"

namespace vitals::collectors {

class ProcessesCollector : public Collector {
 public:
  explicit ProcessesCollector(const CollectorContext& ctx)
      : proc_(ctx.proc),
        table_(ctx.process_table ? ctx.process_table : std::make_shared<ProcessTable>(ctx.proc)) {}
  std::string_view name() const override { return "processes"; }
  std::span<const MetricDesc> Describe() const override;
  procfs::Result<void> Collect(MetricSink& out) override;

 private:
  const procfs::ProcFs& proc_;
  std::shared_ptr<ProcessTable> table_;
  ProcessTable::Cursor cursor_;
  std::string buffer_;
  std::string path_;
};

}  // namespace vitals::collectors
