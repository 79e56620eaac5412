#pragma once
// XFS statistics (Documentation/admin-guide/xfs.rst, "XFS statistics"; the
// format of fs/xfs/xfs_stats.c): per mounted filesystem in
// /sys/fs/xfs/<device>/stats/stats (Linux 4.4+), in all in /proc/fs/xfs/stat.
// One line per group, a name and its counters: "extent_alloc 4 4 0 0",
// "rw 1024 2048", "xpc 0 4096 8192" (the only 64-bit ones).
//
// Read as node_exporter 1.5.0 reads it (procfs 0.8.0's xfs.ParseStats):
// every counter of every line must be a decimal number of 32 bits (64 for
// xpc); the groups procfs knows must have their number of counters (vnodes 7
// or 8, qm 8 or 9); lines of fewer than two fields are skipped.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct XfsStats {
  struct Line {
    std::string_view name;   // views the text
    std::size_t offset = 0;  // of its first counter in `counters`
    std::size_t count = 0;
  };
  std::vector<Line> lines;
  std::vector<std::uint64_t> counters;

  // The counters of the last line called `name`; empty when there is none.
  std::span<const std::uint64_t> Find(std::string_view name) const;
};

// `path` names the file in errors; `out` is cleared first (its storage reused).
procfs::Result<void> ParseXfsStats(std::string_view path, std::string_view text, XfsStats& out);

// The devices with a stats file, fs/xfs/*/stats/stats, sorted; none without
// fs/xfs.
procfs::Result<std::vector<std::string>> ListXfsDevices(const procfs::RootDir& sys);

}  // namespace vitals::sysfs
