#pragma once
// /proc/diskstats (Documentation/admin-guide/iostats.rst): one line per block
// device, "major minor name" and its I/O counters: 11 before Linux 4.18, 15
// with the discard fields (4.18), 17 with the flush fields (5.5).
//
// Read as node_exporter 1.5.0 reads it (procfs' fmt.Sscanf of 20 fields per
// line): a line yields as many fields as it has, up to 20; one of fewer than
// 14 is skipped; any field that is not a decimal number of its type (32 bits
// for major and minor, 64 for the counters) fails the whole file, and so
// does a device named twice.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct DiskStats {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::string_view name;  // views the text
  // Fields read, major, minor and name included: 14, 18 or 20 on the
  // kernels above (procfs' IoStatsCount).
  std::size_t fields = 0;
  // reads, reads merged, sectors read, ms reading, writes, writes merged,
  // sectors written, ms writing, I/Os in progress, ms doing I/O, weighted ms,
  // discards, discards merged, sectors discarded, ms discarding, flushes,
  // ms flushing; the first fields - 3 are set.
  std::array<std::uint64_t, 17> counters{};
};

// The devices in file order; names view `text`.
Result<std::vector<DiskStats>> ParseDiskstats(std::string_view text);

}  // namespace vitals::procfs
