#include "collectors/sysfs/dmi.h"

#include <algorithm>

#include "collectors/sysfs/attribute.h"
#include "text/utf8.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kDir = "class/dmi/id";

// File name -> label, sorted by label.
constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
    {"bios_date", "bios_date"},
    {"bios_release", "bios_release"},
    {"bios_vendor", "bios_vendor"},
    {"bios_version", "bios_version"},
    {"board_asset_tag", "board_asset_tag"},
    {"board_name", "board_name"},
    {"board_serial", "board_serial"},
    {"board_vendor", "board_vendor"},
    {"board_version", "board_version"},
    {"chassis_asset_tag", "chassis_asset_tag"},
    {"chassis_serial", "chassis_serial"},
    {"chassis_vendor", "chassis_vendor"},
    {"chassis_version", "chassis_version"},
    {"product_family", "product_family"},
    {"product_name", "product_name"},
    {"product_serial", "product_serial"},
    {"product_sku", "product_sku"},
    {"product_uuid", "product_uuid"},
    {"product_version", "product_version"},
    {"sys_vendor", "system_vendor"},
};

}  // namespace

procfs::Result<std::vector<std::pair<std::string_view, std::string>>> ReadDmi(
    const procfs::RootDir& sys, std::string& buffer) {
  auto entries = sys.TypedEntries(kDir);
  if (!entries) {
    return entries.error();
  }
  std::vector<std::pair<std::string_view, std::string>> out;
  std::string path;
  for (const auto& entry : *entries) {
    if (entry.type != procfs::RootDir::EntryType::kRegular || entry.name == "modalias" ||
        entry.name == "uevent") {
      continue;
    }
    path.assign(kDir).append("/").append(entry.name);
    // Every regular file is read, exported or not (chassis_type is not):
    // its errors count.
    auto value = ReadAttribute(sys, path, buffer);
    if (!value) {
      if (value.error().code == procfs::Errc::kPermission) {
        continue;
      }
      return value.error();
    }
    auto known = std::find_if(std::begin(kLabels), std::end(kLabels),
                              [&entry](const auto& label) { return label.first == entry.name; });
    if (known != std::end(kLabels)) {
      out.emplace_back(known->second, text::GoToValidUtf8(*value));
    }
  }
  std::sort(out.begin(), out.end());
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
