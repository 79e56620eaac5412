// node_exporter's "nvme" collector: node_nvme_info per NVMe controller
// (firmware, model, serial, state), from <sysfs>/class/nvme.

#include "collectors/collector_registry.h"
#include "collectors/sysfs/nvme.h"

namespace vitals::collectors {

namespace {

const MetricDesc kInfo = {"node_nvme_info",
                          "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
                          prometheus::MetricType::Gauge,
                          {"device", "firmware_revision", "model", "serial", "state"}};

class NvmeCollector : public Collector {
 public:
  explicit NvmeCollector(const CollectorContext& ctx) : sys_(ctx.sys) {}
  std::string_view name() const override { return "nvme"; }
  std::span<const MetricDesc> Describe() const override { return {&kInfo, 1}; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto controllers = sysfs::ReadNvme(sys_, buffer_);
    if (!controllers) {
      // Any missing file counts as "no NVMe here", as in node_exporter.
      return NoDataIfAbsent(controllers.error(), "no NVMe statistics");
    }
    for (const sysfs::NvmeController& c : *controllers) {
      out.Add(kInfo, 1, {c.name, c.firmware_revision, c.model, c.serial, c.state});
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(nvme, "NVMe controllers (model, serial, firmware, state), from /sys/class/nvme",
                          kEnabled, {}, NvmeCollector);

}  // namespace vitals::collectors
