// node_exporter's "meminfo" collector: every /proc/meminfo field as a gauge,
// node_memory_<Field>_bytes for fields in kB and node_memory_<Field> for the
// unit-less ones (HugePages_*); "Active(anon)" becomes "Active_anon".

#include "collectors/collector_registry.h"
#include "collectors/procfs/meminfo.h"

namespace vitals::collectors {

namespace {

// "Active(anon)" with kB -> "node_memory_Active_anon_bytes".
std::string MetricName(std::string_view field, bool in_bytes) {
  std::string name = "node_memory_";
  for (char c : field) {
    if (c == '(') {
      name += '_';
    } else if (c != ')') {
      name += c;
    }
  }
  if (in_bytes) {
    name += "_bytes";
  }
  return name;
}

class MeminfoCollector : public Collector {
 public:
  explicit MeminfoCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "meminfo"; }
  std::span<const MetricDesc> Describe() const override { return {}; }
  std::string_view derived_prefix() const override { return "node_memory_"; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto fields = procfs::ReadMeminfo(proc_, buffer_);
    if (!fields) {
      return fields.error();
    }
    // A failed Collect exports none of its samples (the scrape drops them).
    derived_.StartScrape();
    for (const procfs::MeminfoField& field : *fields) {
      // A field may be in kB or not: the unit is part of the key.
      key_.assign(field.name);
      key_ += field.in_bytes ? "/kB" : "/-";
      auto family = derived_.Get(key_, prometheus::MetricType::Gauge, [&] {
        std::string metric = MetricName(field.name, field.in_bytes);
        std::string help = "Memory information field " + metric.substr(12) + ".";
        return std::optional(std::pair(std::move(metric), std::move(help)));
      });
      if (family.bad_name) {
        return procfs::ParseError("meminfo", "field \"" + std::string(field.name) +
                                                 "\" does not make a valid metric name");
      }
      out.Add(*family.desc, static_cast<double>(field.value));
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
  std::string key_;
  DerivedFamilies derived_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(meminfo, "Memory statistics, from /proc/meminfo", kEnabled, {},
                          MeminfoCollector);

}  // namespace vitals::collectors
