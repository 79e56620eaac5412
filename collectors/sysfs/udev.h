#pragma once
// udev's database of block devices, <--path.udev.data>/b<major>:<minor>
// (default /run/udev/data; the format `udevadm info --export-db` prints):
// one record per line, "E:KEY=value" for the device's properties. Read as
// node_exporter 1.5.0's diskstats collector reads it: only E: lines, split
// at the first '=', the last of a repeated key wins.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

// The properties node_exporter's diskstats collector exports.
enum class UdevProperty {
  kIdPath,
  kIdWwn,
  kIdModel,
  kIdSerialShort,
  kIdRevision,  // node_disk_info
  kIdFsType,
  kIdFsUsage,
  kIdFsUuid,
  kIdFsVersion,  // node_disk_filesystem_info
  kDmName,
  kDmUuid,
  kDmVgName,
  kDmLvName,
  kDmLvLayer,  // node_disk_device_mapper_info
  kIdAta,
  kIdAtaWriteCache,
  kIdAtaWriteCacheEnabled,
  kIdAtaRotationRateRpm,  // node_disk_ata_*
  kCount,
};

class UdevProperties {
 public:
  // The value, or nullopt when the record has no such property.
  std::optional<std::string_view> Find(UdevProperty p) const {
    return values_[static_cast<std::size_t>(p)];
  }
  // The value, "" when absent (node_exporter's map lookup).
  std::string_view Get(UdevProperty p) const { return Find(p).value_or(std::string_view()); }

 private:
  friend UdevProperties ParseUdevProperties(std::string_view text);
  std::array<std::optional<std::string_view>, static_cast<std::size_t>(UdevProperty::kCount)>
      values_{};
};

// Never fails: lines that are not properties are skipped, and reading stops
// at a line longer than Go's scanner takes, keeping what came before (as
// node_exporter, which ignores the scanner's error). Values view `text`.
UdevProperties ParseUdevProperties(std::string_view text);

// The record of block device major:minor under `udev_data`, read into
// `buffer` (which the values view); kNotFound when udev has none.
procfs::Result<UdevProperties> ReadUdevProperties(const procfs::RootDir& udev_data,
                                                  std::uint32_t major, std::uint32_t minor,
                                                  std::string& buffer);

}  // namespace vitals::sysfs
