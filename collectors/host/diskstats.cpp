// node_exporter's "diskstats" collector: the I/O counters of /proc/diskstats
// per block device (the discard and flush ones where the kernel has them),
// and what udev knows of each device (--path.udev.data): node_disk_info,
// node_disk_filesystem_info, node_disk_device_mapper_info and the ATA
// write-cache and rotation-rate gauges.

#include "collectors/procfs/diskstats.h"

#include <stdexcept>

#include "collectors/collector_registry.h"
#include "collectors/device_filter.h"
#include "collectors/procfs/parse_util.h"
#include "collectors/sysfs/udev.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
using sysfs::UdevProperty;

const FlagSpec kFlags[] = {
    {"collector.diskstats.device-exclude", FlagKind::kRegex,
     "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$",
     "Regexp of diskstats devices to exclude (mutually exclusive to device-include)."},
    {"collector.diskstats.ignored-devices", FlagKind::kRegex, "",
     "DEPRECATED: Use collector.diskstats.device-exclude"},
    {"collector.diskstats.device-include", FlagKind::kRegex, "",
     "Regexp of diskstats devices to include (mutually exclusive to device-exclude)."},
    {"path.udev.data", FlagKind::kPath, "/run/udev/data", "udev data path."},
};
const FlagSpec& kDeviceExclude = kFlags[0];

const std::vector<std::string_view> kDevice = {"device"};
// /proc/diskstats' counters in their order, and what each is multiplied by.
struct Counter {
  MetricDesc desc;
  double scale;
};
constexpr double kSector = 512.0;       // "standard UNIX 512-byte sectors"
constexpr double kTick = 1.0 / 1000.0;  // milliseconds
const Counter kCounters[] = {
    {{"node_disk_reads_completed_total", "The total number of reads completed successfully.",
      MetricType::Counter, kDevice},
     1},
    {{"node_disk_reads_merged_total", "The total number of reads merged.", MetricType::Counter,
      kDevice},
     1},
    {{"node_disk_read_bytes_total", "The total number of bytes read successfully.",
      MetricType::Counter, kDevice},
     kSector},
    {{"node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.",
      MetricType::Counter, kDevice},
     kTick},
    {{"node_disk_writes_completed_total", "The total number of writes completed successfully.",
      MetricType::Counter, kDevice},
     1},
    {{"node_disk_writes_merged_total", "The number of writes merged.", MetricType::Counter,
      kDevice},
     1},
    {{"node_disk_written_bytes_total", "The total number of bytes written successfully.",
      MetricType::Counter, kDevice},
     kSector},
    {{"node_disk_write_time_seconds_total",
      "This is the total number of seconds spent by all writes.", MetricType::Counter, kDevice},
     kTick},
    {{"node_disk_io_now", "The number of I/Os currently in progress.", MetricType::Gauge, kDevice},
     1},
    {{"node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", MetricType::Counter,
      kDevice},
     kTick},
    {{"node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.",
      MetricType::Counter, kDevice},
     kTick},
    {{"node_disk_discards_completed_total", "The total number of discards completed successfully.",
      MetricType::Counter, kDevice},
     1},
    {{"node_disk_discards_merged_total", "The total number of discards merged.",
      MetricType::Counter, kDevice},
     1},
    // Sectors, as node_exporter 1.5.0 exports them (not bytes).
    {{"node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.",
      MetricType::Counter, kDevice},
     1},
    {{"node_disk_discard_time_seconds_total",
      "This is the total number of seconds spent by all discards.", MetricType::Counter, kDevice},
     kTick},
    {{"node_disk_flush_requests_total", "The total number of flush requests completed successfully",
      MetricType::Counter, kDevice},
     1},
    {{"node_disk_flush_requests_time_seconds_total",
      "This is the total number of seconds spent by all flush requests.", MetricType::Counter,
      kDevice},
     kTick},
};
static_assert(std::size(kCounters) == std::tuple_size_v<decltype(procfs::DiskStats::counters)>);

const MetricDesc kInfo{"node_disk_info",
                       "Info of /sys/block/<block_device>.",
                       MetricType::Gauge,
                       {"device", "major", "minor", "path", "wwn", "model", "serial", "revision"}};
const MetricDesc kFilesystemInfo{"node_disk_filesystem_info",
                                 "Info about disk filesystem.",
                                 MetricType::Gauge,
                                 {"device", "type", "usage", "uuid", "version"}};
const MetricDesc kDeviceMapperInfo{"node_disk_device_mapper_info",
                                   "Info about disk device mapper.",
                                   MetricType::Gauge,
                                   {"device", "name", "uuid", "vg_name", "lv_name", "lv_layer"}};
struct AtaGauge {
  UdevProperty property;
  MetricDesc desc;
};
const AtaGauge kAta[] = {
    {UdevProperty::kIdAtaWriteCache,
     {"node_disk_ata_write_cache", "ATA disk has a write cache.", MetricType::Gauge, kDevice}},
    {UdevProperty::kIdAtaWriteCacheEnabled,
     {"node_disk_ata_write_cache_enabled", "ATA disk has its write cache enabled.",
      MetricType::Gauge, kDevice}},
    {UdevProperty::kIdAtaRotationRateRpm,
     {"node_disk_ata_rotation_rate_rpm", "ATA disk rotation rate in RPMs (0 for SSDs).",
      MetricType::Gauge, kDevice}},
};

std::vector<MetricDesc> AllDescs() {
  std::vector<MetricDesc> out;
  for (const Counter& c : kCounters) {
    out.push_back(c.desc);
  }
  out.insert(out.end(), {kInfo, kFilesystemInfo, kDeviceMapperInfo});
  for (const AtaGauge& a : kAta) {
    out.push_back(a.desc);
  }
  return out;
}

// The exclude pattern: the old name's if given; none when an include
// pattern is given and the exclusion is left at its default. node_exporter
// (1.5.0 to 1.9) refuses to start then unless the default exclusion is
// emptied by hand; every set of flags it accepts means the same here.
std::string ExcludePattern(const FlagValues& flags) {
  std::string exclude = FlagOrOldName(flags, kDeviceExclude, "collector.diskstats.ignored-devices");
  if (flags.String("collector.diskstats.device-include").empty()) {
    return exclude;
  }
  if (!exclude.empty() && exclude != kDeviceExclude.default_value) {
    throw std::invalid_argument(
        "--collector.diskstats.device-exclude and --collector.diskstats.device-include are "
        "mutually exclusive");
  }
  return "";
}

class DiskstatsCollector : public Collector {
 public:
  explicit DiskstatsCollector(const CollectorContext& ctx)
      : proc_(ctx.proc),
        udev_path_(ctx.flags.String("path.udev.data")),
        filter_(ExcludePattern(ctx.flags), ctx.flags.String("collector.diskstats.device-include")),
        descs_(AllDescs()) {}

  std::string_view name() const override { return "diskstats"; }
  std::span<const MetricDesc> Describe() const override { return descs_; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto disks = procfs::ParseReadViewing(proc_.ReadInto("diskstats", buffer_), buffer_,
                                          procfs::ParseDiskstats);
    if (!disks) {
      return disks.error();
    }
    // Opened every scrape, as node_exporter opens each file by its path:
    // udev may start, or restart, after the agent.
    auto udev = procfs::RootDir::Open(udev_path_);
    for (const procfs::DiskStats& disk : *disks) {
      if (filter_.Ignored(disk.name)) {
        continue;
      }
      sysfs::UdevProperties udev_info;
      if (udev) {
        auto read = sysfs::ReadUdevProperties(*udev, disk.major, disk.minor, udev_buffer_);
        if (read) {
          udev_info = *read;  // none when udev has no record: empty labels
        }
      }
      Emit(disk, udev_info, out);
    }
    return {};
  }

 private:
  void Emit(const procfs::DiskStats& disk, const sysfs::UdevProperties& udev, MetricSink& out) {
    const std::string major = std::to_string(disk.major);
    const std::string minor = std::to_string(disk.minor);
    out.Add(kInfo, 1,
            {disk.name, major, minor, udev.Get(UdevProperty::kIdPath),
             udev.Get(UdevProperty::kIdWwn), udev.Get(UdevProperty::kIdModel),
             udev.Get(UdevProperty::kIdSerialShort), udev.Get(UdevProperty::kIdRevision)});
    for (std::size_t i = 0; i + 3 < disk.fields; ++i) {
      out.Add(kCounters[i].desc, static_cast<double>(disk.counters[i]) * kCounters[i].scale,
              {disk.name});
    }
    if (auto type = udev.Get(UdevProperty::kIdFsType); !type.empty()) {
      out.Add(kFilesystemInfo, 1,
              {disk.name, type, udev.Get(UdevProperty::kIdFsUsage),
               udev.Get(UdevProperty::kIdFsUuid), udev.Get(UdevProperty::kIdFsVersion)});
    }
    if (auto dm = udev.Get(UdevProperty::kDmName); !dm.empty()) {
      out.Add(kDeviceMapperInfo, 1,
              {disk.name, dm, udev.Get(UdevProperty::kDmUuid), udev.Get(UdevProperty::kDmVgName),
               udev.Get(UdevProperty::kDmLvName), udev.Get(UdevProperty::kDmLvLayer)});
    }
    if (!udev.Get(UdevProperty::kIdAta).empty()) {
      for (const AtaGauge& ata : kAta) {
        // Absent: left out, as node_exporter does. Not a number: left out
        // and logged, as node_exporter does too.
        auto text = udev.Find(ata.property);
        if (!text) {
          continue;
        }
        if (auto value = procfs::detail::ToNumber(*text)) {
          out.Add(ata.desc, *value, {disk.name});
        } else {
          out.Warn(udev_path_ + "/b" + major + ":" + minor + ": " + std::string(ata.desc.name) +
                   " left out: \"" + std::string(*text) + "\" is not a number");
        }
      }
    }
  }

  const procfs::ProcFs& proc_;
  const std::string udev_path_;
  const DeviceFilter filter_;
  const std::vector<MetricDesc> descs_;
  std::string buffer_, udev_buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(diskstats, "Block device I/O counters, from /proc/diskstats and udev",
                          kEnabled, kFlags, DiskstatsCollector);

}  // namespace vitals::collectors
