#pragma once
// /proc/loadavg: load averages and scheduler entities (proc(5), "/proc/loadavg").

#include <cstdint>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct Loadavg {
  double load1 = 0, load5 = 0, load15 = 0;
  std::uint64_t runnable = 0;  // currently runnable scheduling entities
  std::uint64_t entities = 0;  // scheduling entities that exist
  std::uint64_t last_pid = 0;
};

Result<Loadavg> ParseLoadavg(std::string_view text);
Result<Loadavg> ReadLoadavg(const ProcFs& fs, std::string& buffer);

}  // namespace vitals::procfs
