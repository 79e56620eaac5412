#pragma once
// node_exporter's "meminfo" collector: every /proc/meminfo field as a gauge,
// node_memory_<Field>_bytes for fields in kB and node_memory_<Field> for the
// unit-less ones (HugePages_*); "Active(anon)" becomes "Active_anon".

#include <map>
#include <string>

#include "collectors/collector.h"

namespace vitals::collectors {

class MeminfoCollector : public Collector {
 public:
  explicit MeminfoCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "meminfo"; }
  std::span<const MetricDesc> Describe() const override { return {}; }
  procfs::Result<void> Collect(MetricSink& out) override;

  // "Active(anon)" with kB -> "node_memory_Active_anon_bytes".
  static std::string MetricName(std::string_view field, bool in_bytes);

 private:
  struct OwnedDesc {
    std::string name, help;
    MetricDesc desc;
  };
  const MetricDesc& DescFor(std::string_view field, bool in_bytes);

  const procfs::ProcFs& proc_;
  std::string buffer_;
  std::map<std::string, OwnedDesc, std::less<>> descs_;  // by kernel field name and unit
};

}  // namespace vitals::collectors
