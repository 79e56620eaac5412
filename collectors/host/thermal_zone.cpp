// node_exporter's "thermal_zone" collector: the temperature of each thermal
// zone and the state of each cooling device, from <sysfs>/class/thermal.

#include "collectors/collector_registry.h"
#include "collectors/sysfs/thermal.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_thermal_zone_temp", "Zone temperature in Celsius", MetricType::Gauge, {"zone", "type"}},
    {"node_cooling_device_cur_state", "Current throttle state of the cooling device",
     MetricType::Gauge, {"name", "type"}},
    {"node_cooling_device_max_state", "Maximum throttle state of the cooling device",
     MetricType::Gauge, {"name", "type"}},
};
enum Desc { kZoneTemp, kCurState, kMaxState };

class ThermalZoneCollector : public Collector {
 public:
  explicit ThermalZoneCollector(const CollectorContext& ctx) : sys_(ctx.sys) {}
  std::string_view name() const override { return "thermal_zone"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto zones = sysfs::ReadThermalZones(sys_, buffer_);
    if (!zones) {
      return zones.error();
    }
    for (const sysfs::ThermalZone& zone : *zones) {
      out.Add(kDescs[kZoneTemp], static_cast<double>(zone.temp) / 1000.0, {zone.zone, zone.type});
    }
    auto devices = sysfs::ReadCoolingDevices(sys_, buffer_);
    if (!devices) {
      return devices.error();
    }
    for (const sysfs::CoolingDevice& device : *devices) {
      out.Add(kDescs[kCurState], static_cast<double>(device.cur_state), {device.name, device.type});
      out.Add(kDescs[kMaxState], static_cast<double>(device.max_state), {device.name, device.type});
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(thermal_zone,
                          "Thermal zone temperatures and cooling device states, from "
                          "/sys/class/thermal",
                          kEnabled, {}, ThermalZoneCollector);

}  // namespace vitals::collectors
