#pragma once
// /proc/net/softnet_stat: one line per online CPU of hexadecimal counters
// (net/core/net-procfs.c, softnet_seq_show); the first three are packets
// processed, dropped, and times net_rx_action ran out of quota.

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct SoftnetCpu {
  std::uint32_t processed = 0;
  std::uint32_t dropped = 0;
  std::uint32_t time_squeezed = 0;
};

// One entry per line, in file order. A line of fewer than 9 columns (the
// count since Linux 2.6.23) is an error.
Result<std::vector<SoftnetCpu>> ParseSoftnet(std::string_view text);
Result<std::vector<SoftnetCpu>> ReadSoftnet(const ProcFs& fs, std::string& buffer);

}  // namespace vitals::procfs
