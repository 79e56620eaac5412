#pragma once
// class/hwmon/hwmon<N>/ (Documentation/hwmon/sysfs-interface.rst): a hardware
// monitoring chip, its attributes named <type><number>_<property> (in0_input,
// fan1_min, temp2_crit_alarm, ...) or <type> alone (vrm, beep_enable,
// update_interval), one value each, and an optional `name`. Older drivers
// keep the attributes in the parent device's directory (hwmon<N>/device/).
// Read as node_exporter 1.5.0's hwmon collector reads them, with its chip
// names.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

// An attribute file name split by node_exporter's pattern
// ^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$ exactly as Go's
// regexp matches it ("temp1_crit_alarm": temp, 1, crit_alarm; "beep_enable":
// beep_enable, 0, ""); nullopt when it does not match or the number does not
// fit an int64.
struct HwmonFileName {
  std::string_view type;
  std::int64_t number = 0;
  std::string_view property;
};
std::optional<HwmonFileName> ParseHwmonFileName(std::string_view name);

// node_exporter's cleanMetricName: lower case (Go's Unicode rules), every
// character other than [a-z0-9:_] becomes '_', then '_' is trimmed from both
// ends ("Package id 0" -> "package_id_0", "coretemp.0" -> "coretemp_0").
std::string CleanHwmonName(std::string_view text);

struct HwmonAttribute {
  std::string sensor;    // type and number: "temp1", "in0", "vrm0"
  std::string property;  // "input", "crit_alarm", "label", "" for a bare "vrm"
  std::string value;     // the first 128 bytes, newlines trimmed, unparsed
};

struct HwmonChip {
  // The chip label: "<type>_<name>" of the device it belongs to
  // ("platform_coretemp_0", "pci0000:00_0000:00:18_3"), else its cleaned
  // `name`, else the cleaned name of its directory ("hwmon3").
  std::string chip;
  std::string chip_name;  // the cleaned `name` file, empty when there is none
  // Attributes of the sensor types node_exporter knows (in, fan, temp, ...),
  // from the chip's directory then its device's (which wins for the same
  // sensor and property), sorted by sensor and property. A file that cannot
  // be read is left out, as node_exporter leaves it.
  std::vector<HwmonAttribute> attributes;
};

// Every chip of class/hwmon in name order (entries that are, or point to,
// directories). kNotFound without class/hwmon. A chip that cannot be listed
// makes an error (the last one, as node_exporter's) after the others are read.
procfs::Result<std::vector<HwmonChip>> ReadHwmon(const procfs::RootDir& sys, std::string& buffer);

}  // namespace vitals::sysfs
