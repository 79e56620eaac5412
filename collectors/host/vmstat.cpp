// node_exporter's "vmstat" collector: the /proc/vmstat fields matching
// --collector.vmstat.fields, each as untyped node_vmstat_<field>.

#include <memory>

#include "collectors/collector_registry.h"
#include "collectors/procfs/vmstat.h"

namespace vitals::collectors {

namespace {

const FlagSpec kFlags[] = {
    {"collector.vmstat.fields", FlagKind::kRegex, "^(oom_kill|pgpg|pswp|pg.*fault).*",
     "Regexp of fields to return for vmstat collector."},
};

class VmstatCollector : public Collector {
 public:
  explicit VmstatCollector(const CollectorContext& ctx)
      : proc_(ctx.proc), fields_(ctx.flags.Regex("collector.vmstat.fields")) {}
  std::string_view name() const override { return "vmstat"; }
  std::span<const MetricDesc> Describe() const override { return {}; }
  std::string_view derived_prefix() const override { return "node_vmstat_"; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto fields = procfs::ReadVmstat(proc_, buffer_);
    if (!fields) {
      return fields.error();
    }
    derived_.StartScrape();
    for (const procfs::VmstatField& field : *fields) {
      auto family = derived_.Get(field.name, prometheus::MetricType::Untyped, [&] {
        std::optional<std::pair<std::string, std::string>> made;
        if (MatchesGo(*fields_, field.name)) {
          made.emplace("node_vmstat_" + std::string(field.name),
                       "/proc/vmstat information field " + std::string(field.name) + ".");
        }
        return made;
      });
      if (family.bad_name) {
        return procfs::ParseError("vmstat", "field \"" + std::string(field.name) +
                                                "\" does not make a valid metric name");
      }
      if (family.desc != nullptr) {
        out.Add(*family.desc, field.value);
      }
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  const std::unique_ptr<RE2> fields_;
  std::string buffer_;
  DerivedFamilies derived_;  // the matching fields' families; a filtered one is remembered too
};

}  // namespace

VITALS_REGISTER_COLLECTOR(vmstat, "Virtual memory statistics, from /proc/vmstat", kEnabled, kFlags,
                          VmstatCollector);

}  // namespace vitals::collectors
