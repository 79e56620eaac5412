#pragma once
// class/powercap/<zone>/ (Documentation/power/powercap/powercap.rst): the
// power zones of Intel RAPL (and AMD's), each with a `name` ("package-0",
// "core", "dram", "psys"), its energy counter energy_uj in microjoules and
// the counter's range max_energy_range_uj. As procfs' GetRaplZones reads them.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct RaplZone {
  std::string entry;  // the directory's name: "intel-rapl:0", "intel-rapl:0:1"
  std::string name;   // "package" of "package-0", "dram", ...
  std::int64_t index = 0;
  std::uint64_t max_microjoules = 0;
};

// procfs' getIndexAndName: "package-0" is ("package", 0); a name without a
// "-<integer>" suffix is indexed by how often it was seen before, counted in
// `seen` (which this updates).
std::pair<std::int64_t, std::string> RaplIndexAndName(std::string_view name,
                                                      std::map<std::string, std::int64_t, std::less<>>& seen);

// Every entry of class/powercap that has a readable `name` (control types
// such as "intel-rapl" have none), in name order. kNotFound without the
// class; a max_energy_range_uj that cannot be read or is not a number is an
// error.
procfs::Result<std::vector<RaplZone>> ReadRaplZones(const procfs::RootDir& sys,
                                                    std::string& buffer);

// The zone's energy_uj: microjoules since some point, wrapping at
// max_energy_range_uj (root only since Linux 5.10: kPermission otherwise).
procfs::Result<std::uint64_t> ReadRaplEnergy(const procfs::RootDir& sys, const RaplZone& zone,
                                             std::string& buffer);

}  // namespace vitals::sysfs
