#pragma once
// class/power_supply/<name>/ (Documentation/ABI/testing/sysfs-class-power):
// batteries, mains adapters and USB ports, one attribute per file: numbers in
// µA, µV, µW, µAh, µWh, tenths of a degree Celsius, seconds or percent, and
// words (status, health, technology, ...). As procfs' PowerSupplyClass reads
// them.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct PowerSupply {
  std::string name;  // the directory's name: "BAT0", "AC", "ucsi-source-psy-USBC000:001"
  // The numeric attributes procfs knows, by file name, in name order.
  std::vector<std::pair<std::string_view, std::int64_t>> numbers;
  // Its text attributes (status, type, ...), by file name, in name order;
  // invalid UTF-8 replaced, as node_exporter does for its labels.
  std::vector<std::pair<std::string_view, std::string>> texts;
};

// Every entry of class/power_supply, in name order. Only the regular files
// of a supply are read; one that is missing, or whose driver answers
// EOPNOTSUPP or EINVAL, is left out; a numeric attribute that is not an
// integer (Go's syntax: "0x1f", "017", "1_000" too) is an error, as is any
// other failure. kNotFound when the class, or a supply's directory, does not
// exist.
procfs::Result<std::vector<PowerSupply>> ReadPowerSupplies(const procfs::RootDir& sys,
                                                           std::string& buffer);

}  // namespace vitals::sysfs
