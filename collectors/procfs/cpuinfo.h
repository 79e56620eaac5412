#pragma once
// /proc/cpuinfo in the x86 layout (proc(5), "/proc/cpuinfo"): blocks of
// "key\t: value" lines, each starting with "processor". Only the fields
// node_exporter's cpu collector exports are kept.

#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct CpuInfo {
  std::string_view processor;  // "0", "1", ...
  std::string_view vendor_id, cpu_family, model, model_name, stepping, microcode, cache_size;
  std::string_view physical_id, core_id;
  std::string_view flags, bugs;  // space-separated lists
};

// In file order, viewing the text. The first non-empty line must start a
// processor; its number must be an integer.
Result<std::vector<CpuInfo>> ParseCpuInfo(std::string_view text);
Result<std::vector<CpuInfo>> ReadCpuInfo(const ProcFs& fs, std::string& buffer);

}  // namespace vitals::procfs
