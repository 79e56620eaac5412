// node_exporter's "time" collector: the system clock (node_time_seconds), the
// local time zone's offset, and the clock sources from
// <sysfs>/devices/system/clocksource.

#include <time.h>

#include <chrono>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/clocksource.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_time_seconds", "System time in seconds since epoch (1970).", MetricType::Gauge, {}},
    {"node_time_zone_offset_seconds", "System time zone offset in seconds.", MetricType::Gauge,
     {"time_zone"}},
    {"node_time_clocksource_available_info",
     "Available clocksources read from '/sys/devices/system/clocksource'.", MetricType::Gauge,
     {"device", "clocksource"}},
    {"node_time_clocksource_current_info",
     "Current clocksource read from '/sys/devices/system/clocksource'.", MetricType::Gauge,
     {"device", "clocksource"}},
};

class TimeCollector : public Collector {
 public:
  explicit TimeCollector(const CollectorContext& ctx) : sys_(ctx.sys) {}
  std::string_view name() const override { return "time"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    const auto now = std::chrono::system_clock::now();
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch());
    out.Add(kDescs[0], static_cast<double>(ns.count()) / 1e9);
    // The zone as the C library sees it (TZ, else /etc/localtime), as Go's
    // time.Local does.
    const time_t seconds = std::chrono::system_clock::to_time_t(now);
    struct tm local {};
    if (::localtime_r(&seconds, &local) != nullptr) {
      out.Add(kDescs[1], static_cast<double>(local.tm_gmtoff),
              {local.tm_zone != nullptr ? local.tm_zone : ""});
    }
    auto sources = sysfs::ReadClockSources(sys_, buffer_);
    if (!sources) {
      return sources.error();
    }
    // "device" is the source's position in the listing, as node_exporter numbers it.
    for (std::size_t i = 0; i < sources->size(); ++i) {
      const sysfs::ClockSource& source = (*sources)[i];
      std::string device = std::to_string(i);
      for (const std::string& available : source.available) {
        out.Add(kDescs[2], 1, {device, available});
      }
      out.Add(kDescs[3], 1, {device, source.current});
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(time, "System time, time zone and clock sources", kEnabled, {},
                          TimeCollector);

}  // namespace vitals::collectors
