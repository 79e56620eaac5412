#pragma once
// The agent's own process_* metrics, named as every Prometheus client library
// names them (process_cpu_seconds_total, process_resident_memory_bytes, ...).
// Always reads the real /proc/self, whatever --path.procfs says, because a
// mounted host /proc does not know this process by "self" in every setup.

#include <optional>
#include <string>

#include "collectors/collector.h"
#include "collectors/procfs/pid_fd.h"

namespace vitals::collectors {

class SelfCollector : public Collector {
 public:
  explicit SelfCollector(const procfs::ProcFs& real_proc);
  std::string_view name() const override { return "self"; }
  std::span<const MetricDesc> Describe() const override;
  procfs::Result<void> Collect(MetricSink& out) override;

 private:
  const procfs::ProcFs& proc_;
  procfs::FdCounter fds_;
  std::string buffer_;
  std::optional<std::uint64_t> boot_time_;  // read once; it does not change
};

}  // namespace vitals::collectors
