#pragma once
// devices/system/cpu/cpu<N>/cpufreq/ (Documentation/admin-guide/pm/cpufreq.rst,
// Documentation/ABI/testing/sysfs-devices-system-cpu): a CPU's frequency
// limits and current frequency in kHz, as read by procfs' SystemCpufreq.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct Cpufreq {
  std::string cpu;  // "0" of cpu0
  // In kHz; absent when the file is missing or unreadable (cpuinfo_cur_freq
  // is readable by root only).
  std::optional<std::uint64_t> cpuinfo_cur, cpuinfo_min, cpuinfo_max;
  std::optional<std::uint64_t> scaling_cur, scaling_min, scaling_max;
};

// Every cpu<N> with a cpufreq directory, in name order. As procfs does, a
// number file that is missing or unreadable is left out, but one that is not
// a number is an error, and so is a missing or unreadable
// scaling_available_governors, scaling_driver, scaling_governor,
// related_cpus or scaling_setspeed (read, not exported).
procfs::Result<std::vector<Cpufreq>> ReadCpufreq(const procfs::RootDir& sys, std::string& buffer);

}  // namespace vitals::sysfs
