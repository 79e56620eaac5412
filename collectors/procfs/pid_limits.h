#pragma once
// /proc/<pid>/limits: resource limits (proc(5), "/proc/pid/limits";
// getrlimit(2)). "unlimited" is RLIM_INFINITY, i.e. the largest uint64.

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct Limit {
  static constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t soft = kUnlimited;
  std::uint64_t hard = kUnlimited;
};

struct PidLimits {
  Limit open_files;     // "Max open files"
  Limit address_space;  // "Max address space", bytes
  Limit processes;      // "Max processes"
};

Result<PidLimits> ParsePidLimits(std::string_view text);
Result<PidLimits> ReadPidLimits(const ProcFs& fs, int pid, std::string& buffer);
// `path` like "self/limits".
Result<PidLimits> ReadPidLimitsAt(const ProcFs& fs, std::string_view path, std::string& buffer);

}  // namespace vitals::procfs
