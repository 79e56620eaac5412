// node_exporter's "edac" collector: correctable and uncorrectable memory
// errors per memory controller and per chip-select row, from
// <sysfs>/devices/system/edac/mc (the errors no row can be told for are the
// row "unknown").

#include <set>
#include <string>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/edac.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_edac_correctable_errors_total", "Total correctable memory errors.", MetricType::Counter,
     {"controller"}},
    {"node_edac_uncorrectable_errors_total", "Total uncorrectable memory errors.",
     MetricType::Counter, {"controller"}},
    {"node_edac_csrow_correctable_errors_total", "Total correctable memory errors for this csrow.",
     MetricType::Counter, {"controller", "csrow"}},
    {"node_edac_csrow_uncorrectable_errors_total",
     "Total uncorrectable memory errors for this csrow.", MetricType::Counter,
     {"controller", "csrow"}},
};
enum Desc { kCorrectable, kUncorrectable, kCsrowCorrectable, kCsrowUncorrectable };

class EdacCollector : public Collector {
 public:
  explicit EdacCollector(const CollectorContext& ctx) : sys_(ctx.sys) {}
  std::string_view name() const override { return "edac"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto controllers = sysfs::ReadEdac(sys_, buffer_);
    if (!controllers) {
      return controllers.error();
    }
    // "mc0" and "mc0x" are both controller "0": the first one listed gives
    // the series, as node_exporter's registry keeps the first of two equal ones.
    std::set<std::string, std::less<>> controllers_seen;
    for (const sysfs::EdacController& mc : *controllers) {
      if (!controllers_seen.insert(mc.number).second) {
        continue;
      }
      const std::string_view controller = mc.number;
      out.Add(kDescs[kCorrectable], static_cast<double>(mc.correctable), {controller});
      out.Add(kDescs[kUncorrectable], static_cast<double>(mc.uncorrectable), {controller});
      out.Add(kDescs[kCsrowCorrectable], static_cast<double>(mc.correctable_noinfo),
              {controller, "unknown"});
      out.Add(kDescs[kCsrowUncorrectable], static_cast<double>(mc.uncorrectable_noinfo),
              {controller, "unknown"});
      std::set<std::string, std::less<>> csrows_seen;
      for (const sysfs::EdacCsrow& csrow : mc.csrows) {
        if (!csrows_seen.insert(csrow.number).second) {
          continue;
        }
        out.Add(kDescs[kCsrowCorrectable], static_cast<double>(csrow.correctable),
                {controller, csrow.number});
        out.Add(kDescs[kCsrowUncorrectable], static_cast<double>(csrow.uncorrectable),
                {controller, csrow.number});
      }
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(edac, "Memory errors (ECC), from /sys/devices/system/edac/mc", kEnabled,
                          {}, EdacCollector);

}  // namespace vitals::collectors
