#pragma once
// class/thermal/ (Documentation/driver-api/thermal/sysfs-api.rst):
//   thermal_zone<N>/{type,policy,temp,mode,passive}: a sensor's zone, its
//     temperature in millidegrees Celsius (may be negative);
//   cooling_device<N>/{type,max_state,cur_state}: a fan, a processor's
//     throttling and the like, with its current and highest state (cur_state
//     is -1 for intel_powerclamp when idle).
// As procfs' ClassThermalZoneStats and ClassCoolingDeviceStats read them.

#include <cstdint>
#include <string>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct ThermalZone {
  std::string zone;  // "0" of thermal_zone0
  std::string type;  // "x86_pkg_temp", "acpitz", ...
  std::int64_t temp = 0;  // millidegrees Celsius
};

struct CoolingDevice {
  std::string name;  // "0" of cooling_device0
  std::string type;
  std::int64_t max_state = 0;
  std::int64_t cur_state = 0;
};

// Every thermal_zone<N>* in name order; none without class/thermal. A zone
// whose driver answers ENODATA (no reading yet) is left out; any other
// failure to read type, policy, temp, or an existing mode or passive, or a
// temp or passive that is not a number, is an error.
procfs::Result<std::vector<ThermalZone>> ReadThermalZones(const procfs::RootDir& sys,
                                                          std::string& buffer);

// Every cooling_device<N>* in name order; any failure is an error.
procfs::Result<std::vector<CoolingDevice>> ReadCoolingDevices(const procfs::RootDir& sys,
                                                              std::string& buffer);

}  // namespace vitals::sysfs
