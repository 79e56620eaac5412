#pragma once
// /proc/meminfo: memory usage statistics (proc(5), "/proc/meminfo").

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct MeminfoField {
  std::string_view name;  // as the kernel writes it, e.g. "Active(anon)"; views the parsed text
  std::uint64_t value;    // bytes when `in_bytes`, else the kernel's unit-less count
  bool in_bytes;          // the line carried a "kB" unit (converted here to bytes)
};

// Fields in file order. The views stay valid as long as the parsed text does.
Result<std::vector<MeminfoField>> ParseMeminfo(std::string_view text);
Result<std::vector<MeminfoField>> ReadMeminfo(const ProcFs& fs, std::string& buffer);

}  // namespace vitals::procfs
