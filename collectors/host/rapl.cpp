// node_exporter's "rapl" collector: the energy counter of each RAPL power
// zone (package, core, uncore, dram, psys) in joules, from
// <sysfs>/class/powercap: one family per zone name
// (node_rapl_package_joules_total{index,path}), or with
// --collector.rapl.enable-zone-label one family with the name as a label.

#include <filesystem>
#include <string>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/attribute.h"
#include "collectors/sysfs/powercap.h"
#include "text/utf8.h"

namespace vitals::collectors {

namespace {

constexpr std::string_view kIndexPath[] = {"index", "path"};

const FlagSpec kFlags[] = {
    {"collector.rapl.enable-zone-label", FlagKind::kBool, "false",
     "Enables the rapl_zone label: one family node_rapl_joules_total for all zones"},
};

const MetricDesc kJoules = {"node_rapl_joules_total", "Current RAPL value in joules",
                            prometheus::MetricType::Counter, {"index", "path", "rapl_zone"}};

bool IsNameChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

// node_exporter's SanitizeMetricName: each match of _*[^0-9A-Za-z_]+_* becomes
// one '_' ("intel-rapl" -> "intel_rapl", "a_-_b" -> "a_b").
std::string SanitizeMetricName(std::string_view name) {
  std::string out;
  std::size_t i = 0;
  while (i < name.size()) {
    std::size_t j = i;
    while (j < name.size() && name[j] == '_') {
      ++j;
    }
    std::size_t k = j;
    while (k < name.size() && !IsNameChar(name[k])) {
      ++k;
    }
    if (k == j) {  // no match here
      out += name[i++];
      continue;
    }
    while (k < name.size() && name[k] == '_') {
      ++k;
    }
    out += '_';
    i = k;
  }
  return out;
}

// Go's filepath.Clean of an absolute or relative path.
std::string CleanPath(const std::string& path) {
  std::string out = std::filesystem::path(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') {
    out.pop_back();
  }
  return out.empty() ? "." : out;
}

class RaplCollector : public Collector {
 public:
  explicit RaplCollector(const CollectorContext& ctx)
      : sys_(ctx.sys),
        zone_label_(ctx.flags.Bool("collector.rapl.enable-zone-label")),
        // The path label is where node_exporter found the zone: --path.sysfs
        // joined with class/powercap/<zone>.
        powercap_dir_(CleanPath(ctx.sys.root().string() + "/class/powercap")) {}
  std::string_view name() const override { return "rapl"; }
  std::span<const MetricDesc> Describe() const override { return {&kJoules, 1}; }
  std::string_view derived_prefix() const override { return "node_rapl_"; }

  procfs::Result<void> Collect(MetricSink& out) override {
    derived_.StartScrape();
    auto zones = sysfs::ReadRaplZones(sys_, buffer_);
    if (!zones) {
      return NoDataIfAbsentOrDenied(zones.error(), "no readable powercap files");
    }
    for (const sysfs::RaplZone& zone : *zones) {
      auto microjoules = sysfs::ReadRaplEnergy(sys_, zone, buffer_);
      if (!microjoules) {
        if (microjoules.error().code == procfs::Errc::kPermission) {
          // energy_uj is root's since Linux 5.10; the zones before are kept.
          return NoData(microjoules.error().path, "energy_uj is not readable");
        }
        return microjoules.error();
      }
      const double joules = static_cast<double>(*microjoules) / 1000000.0;
      const std::string index = std::to_string(zone.index);
      const std::string path = text::GoToValidUtf8(powercap_dir_ + "/" + zone.entry);
      const std::string zone_name = text::GoToValidUtf8(zone.name);
      if (zone_label_) {
        out.Add(kJoules, joules, {index, path, zone_name});
        continue;
      }
      auto family = derived_.Get(zone.name, prometheus::MetricType::Counter, [&] {
        return std::optional<std::pair<std::string, std::string>>(
            {"node_rapl_" + SanitizeMetricName(zone.name) + "_joules_total",
             "Current RAPL " + zone_name + " value in joules"});
      }, kIndexPath);
      if (family.desc != nullptr) {
        out.Add(*family.desc, joules, {index, path});
      }
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  const bool zone_label_;
  const std::string powercap_dir_;
  DerivedFamilies derived_;  // one family per zone name
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(rapl, "RAPL energy counters (CPU package, cores, DRAM), from /sys/class/powercap",
                          kEnabled, kFlags, RaplCollector);

}  // namespace vitals::collectors
