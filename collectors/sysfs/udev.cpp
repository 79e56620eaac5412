#include "collectors/sysfs/udev.h"

#include "collectors/procfs/go_text.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kNames[] = {
    "ID_PATH",
    "ID_WWN",
    "ID_MODEL",
    "ID_SERIAL_SHORT",
    "ID_REVISION",
    "ID_FS_TYPE",
    "ID_FS_USAGE",
    "ID_FS_UUID",
    "ID_FS_VERSION",
    "DM_NAME",
    "DM_UUID",
    "DM_VG_NAME",
    "DM_LV_NAME",
    "DM_LV_LAYER",
    "ID_ATA",
    "ID_ATA_WRITE_CACHE",
    "ID_ATA_WRITE_CACHE_ENABLED",
    "ID_ATA_ROTATION_RATE_RPM",
};
static_assert(std::size(kNames) == static_cast<std::size_t>(UdevProperty::kCount));

}  // namespace

UdevProperties ParseUdevProperties(std::string_view text) {
  UdevProperties out;
  procfs::detail::GoLines lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    if (line.substr(0, 2) != "E:") {
      continue;
    }
    line.remove_prefix(2);
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    const std::string_view key = line.substr(0, eq);
    for (std::size_t i = 0; i < std::size(kNames); ++i) {
      if (key == kNames[i]) {
        out.values_[i] = line.substr(eq + 1);
        break;
      }
    }
  }
  return out;
}

procfs::Result<UdevProperties> ReadUdevProperties(const procfs::RootDir& udev_data,
                                                  std::uint32_t major, std::uint32_t minor,
                                                  std::string& buffer) {
  std::string name = "b" + std::to_string(major) + ":" + std::to_string(minor);
  auto text = udev_data.ReadInto(name, buffer);
  if (!text) {
    return text.error();
  }
  return ParseUdevProperties(*text);
}

}  // namespace vitals::sysfs
