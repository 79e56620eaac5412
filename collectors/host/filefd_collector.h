#pragma once
// node_exporter's "filefd" collector: node_filefd_allocated and
// node_filefd_maximum from /proc/sys/fs/file-nr.

#include <string>

#include "collectors/collector.h"

namespace vitals::collectors {

class FilefdCollector : public Collector {
 public:
  explicit FilefdCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "filefd"; }
  std::span<const MetricDesc> Describe() const override;
  procfs::Result<void> Collect(MetricSink& out) override;

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace vitals::collectors
