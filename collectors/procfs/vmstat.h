#pragma once
// /proc/vmstat: virtual memory statistics, one "name value" per line
// (proc(5), "/proc/vmstat").

#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct VmstatField {
  std::string_view name;  // views the parsed text
  double value;
};

// Fields in file order; a line that is not "name number" is an error.
Result<std::vector<VmstatField>> ParseVmstat(std::string_view text);
// The fields view `buffer`'s text.
Result<std::vector<VmstatField>> ReadVmstat(const ProcFs& fs, std::string& buffer);

}  // namespace vitals::procfs
