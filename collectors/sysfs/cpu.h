#pragma once
// Per-CPU sysfs files of node_exporter's cpu collector
// (Documentation/ABI/testing/sysfs-devices-system-cpu):
//   devices/system/cpu/isolated: CPUs isolated from scheduling (isolcpus=),
//     a list such as "2-3,7" or an empty line;
//   devices/system/cpu/cpu<N>/topology/{physical_package_id,core_id} and
//   .../thermal_throttle/{core,package}_throttle_count: how often a core and
//     its package were throttled for heat (x86 with the therm_throt driver).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

procfs::Result<std::vector<unsigned>> ParseCpuList(std::string_view path, std::string_view text);
// kNotFound when the kernel has no such file.
procfs::Result<std::vector<unsigned>> ReadIsolatedCpus(const procfs::RootDir& sys,
                                                       std::string& buffer);

struct CpuThrottles {
  std::map<std::uint64_t, std::uint64_t> package;                            // by package id
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> core;   // by (package, core)
};

// Throttle counts of every cpu<N> with a topology, each core and package
// read once (from its first CPU that has the file, as node_exporter does).
// A CPU without topology or counters is left out; none when the directory
// is absent. A file that exists but cannot be read as a number is an error.
procfs::Result<CpuThrottles> ReadCpuThrottles(const procfs::RootDir& sys, std::string& buffer);

}  // namespace vitals::sysfs
