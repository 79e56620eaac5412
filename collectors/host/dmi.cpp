// node_exporter's "dmi" collector: node_dmi_info, labelled with the
// machine's SMBIOS strings (BIOS, board, chassis, product, vendor) from
// <sysfs>/class/dmi/id. They do not change while the machine runs, so they
// are read once, when the collector is built, as node_exporter does (and
// again while that read fails).

#include <string>
#include <utility>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/dmi.h"

namespace vitals::collectors {

namespace {

class DmiCollector : public Collector {
 public:
  explicit DmiCollector(const CollectorContext& ctx) : sys_(ctx.sys) { Read(); }
  std::string_view name() const override { return "dmi"; }
  // The labels are the DMI strings this machine has, so the family is
  // declared once they are read.
  std::span<const MetricDesc> Describe() const override { return {&desc_, 1}; }

  procfs::Result<void> Collect(MetricSink& out) override {
    if (!read_.ok()) {
      Read();
      if (!read_.ok()) {
        return read_;
      }
    }
    if (values_.empty()) {
      return NoData("class/dmi/id", "no DMI information on this platform");
    }
    out.Add(desc_, 1, std::span<const std::string_view>(values_));
    return {};
  }

 private:
  void Read() {
    std::string buffer;
    auto dmi = sysfs::ReadDmi(sys_, buffer);
    desc_.labels.clear();
    values_.clear();
    strings_.clear();
    if (!dmi) {
      // No such directory (a VM without SMBIOS, an ARM board): nothing, for good.
      read_ = dmi.error().code == procfs::Errc::kNotFound ? procfs::Result<void>() : dmi.error();
      return;
    }
    read_ = {};
    strings_ = std::move(*dmi);
    for (const auto& [label, value] : strings_) {
      desc_.labels.push_back(label);
      values_.push_back(value);
    }
  }

  const procfs::RootDir& sys_;
  procfs::Result<void> read_;
  MetricDesc desc_{"node_dmi_info",
                   "A metric with a constant '1' value labeled by bios_date, bios_release, "
                   "bios_vendor, bios_version, board_asset_tag, board_name, board_serial, "
                   "board_vendor, board_version, chassis_asset_tag, chassis_serial, chassis_vendor, "
                   "chassis_version, product_family, product_name, product_serial, product_sku, "
                   "product_uuid, product_version, system_vendor if provided by DMI.",
                   prometheus::MetricType::Gauge,
                   {}};
  std::vector<std::pair<std::string_view, std::string>> strings_;  // (label, value)
  std::vector<std::string_view> values_;                           // views of strings_
};

}  // namespace

VITALS_REGISTER_COLLECTOR(dmi, "Machine identity (BIOS, board, chassis, product), from /sys/class/dmi/id",
                          kEnabled, {}, DmiCollector);

}  // namespace vitals::collectors
