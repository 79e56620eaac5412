#pragma once
// /proc/schedstat: scheduler statistics per CPU (Documentation/scheduler/
// sched-stats.rst). Of each "cpu<N> ..." line, the 7th to 9th numbers: time
// spent running and waiting to run (nanoseconds, since Linux 2.6.23), and the
// timeslices run. Needs CONFIG_SCHEDSTATS.

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct SchedstatCpu {
  std::string_view cpu;  // "0", "1", ...; views the parsed text
  std::uint64_t running_ns = 0;
  std::uint64_t waiting_ns = 0;
  std::uint64_t timeslices = 0;
};

// The cpu lines in file order; other lines (version, timestamp, domain) are skipped.
Result<std::vector<SchedstatCpu>> ParseSchedstat(std::string_view text);
Result<std::vector<SchedstatCpu>> ReadSchedstat(const ProcFs& fs, std::string& buffer);

}  // namespace vitals::procfs
