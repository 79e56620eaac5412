#pragma once
// Single-number sysctl files under /proc/sys, e.g. kernel/pid_max and
// kernel/threads-max (proc(5)).

#include <cstdint>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

Result<std::uint64_t> ParseSysctlNumber(std::string_view path, std::string_view text);
// `relative_path` like "sys/kernel/pid_max".
Result<std::uint64_t> ReadSysctlNumber(const ProcFs& fs, std::string_view relative_path,
                                       std::string& buffer);

}  // namespace vitals::procfs
