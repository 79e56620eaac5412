#pragma once
// /proc/net/stat/nf_conntrack (net/netfilter/nf_conntrack_standalone.c): a
// header naming the columns ("entries clashres found new invalid ignore
// ..."), then one line per CPU of hexadecimal counters. The columns are
// found by name (their positions and some names changed across kernels).

#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

// The counters node_exporter exports, summed over the CPUs.
struct ConntrackStat {
  std::uint64_t found = 0;
  std::uint64_t invalid = 0;
  std::uint64_t ignore = 0;
  std::uint64_t insert = 0;
  std::uint64_t insert_failed = 0;
  std::uint64_t drop = 0;
  std::uint64_t early_drop = 0;
  std::uint64_t search_restart = 0;
};

Result<ConntrackStat> ParseConntrackStat(std::string_view text);
// kNotFound without the nf_conntrack module.
Result<ConntrackStat> ReadConntrackStat(const ProcFs& fs, std::string& buffer);

}  // namespace vitals::procfs
