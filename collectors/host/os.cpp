// node_exporter's "os" collector: node_os_info and node_os_version from
// os-release(5) under --path.rootfs (etc/os-release, else usr/lib/os-release),
// so an agent in a container reports the host's system when the host's root
// is mounted there.

#include <charconv>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/os_release.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_os_info",
     "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, "
     "image_version, name, pretty_name, variant, variant_id, version, version_codename, "
     "version_id.",
     MetricType::Gauge,
     {"build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant",
      "variant_id", "version", "version_codename", "version_id"}},
    {"node_os_version", "Metric containing the major.minor part of the OS version.",
     MetricType::Gauge, {"id", "id_like", "name"}},
};

// The leading major[.minor] of VERSION_ID as a number, as node_exporter reads
// it (^[0-9]+\.?[0-9]*); 0 when it does not start with a digit.
double MajorMinor(std::string_view version_id) {
  std::size_t end = 0;
  while (end < version_id.size() && version_id[end] >= '0' && version_id[end] <= '9') {
    ++end;
  }
  if (end == 0) {
    return 0;
  }
  if (end < version_id.size() && version_id[end] == '.') {
    ++end;
    while (end < version_id.size() && version_id[end] >= '0' && version_id[end] <= '9') {
      ++end;
    }
  }
  double value = 0;
  std::from_chars(version_id.data(), version_id.data() + end, value);
  return value;
}

class OsCollector : public Collector {
 public:
  explicit OsCollector(const CollectorContext& ctx) : root_(ctx.root) {}
  std::string_view name() const override { return "os"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto release = sysfs::ReadOsRelease(root_, buffer_);
    if (!release) {
      return NoDataIfAbsent(release.error(), "no os-release file found under --path.rootfs");
    }
    auto get = [&](std::string_view key) -> std::string_view {
      auto it = release->find(key);
      return it == release->end() ? std::string_view() : std::string_view(it->second);
    };
    out.Add(kDescs[0], 1,
            {get("BUILD_ID"), get("ID"), get("ID_LIKE"), get("IMAGE_ID"), get("IMAGE_VERSION"),
             get("NAME"), get("PRETTY_NAME"), get("VARIANT"), get("VARIANT_ID"), get("VERSION"),
             get("VERSION_CODENAME"), get("VERSION_ID")});
    if (double version = MajorMinor(get("VERSION_ID")); version > 0) {
      out.Add(kDescs[1], version, {get("ID"), get("ID_LIKE"), get("NAME")});
    }
    return {};
  }

 private:
  const procfs::RootDir& root_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(os, "Operating system name and version, from os-release under --path.rootfs",
                          kEnabled, {}, OsCollector);

}  // namespace vitals::collectors
