#pragma once
// bcache's sysfs tree (Documentation/admin-guide/bcache.rst, "Sysfs"):
// /sys/fs/bcache/<set uuid>/ with the cache set's files, its internal/ and
// stats_total/ folders, a bdev<N> link per backing device and a cache<N>
// link per cache device. Many values are printed by bch_hprint ("1.5M",
// "-3.2k": three digits, one tenth, a binary unit); they are read as
// node_exporter 1.5.0 reads them (procfs 0.8.0's dehumanize), so both
// export the same numbers, including its rounding of the tenth (.5 is
// 5 / 10.24).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

// A value file's text, its last byte (the newline) dropped as procfs drops it:
// a plain decimal number, or bch_hprint's form with a k/M/G/T/P/E/Z/Y suffix.
// Truncated to an integer as procfs does.
procfs::Result<std::uint64_t> ParseBcacheValue(std::string_view path, std::string_view text);

// writeback_rate_debug of a backing device: "rate:\t\t1.2M/sec",
// "dirty:\t\t...", "target:", "proportional:", "integral:", "change:" (bch_hprint,
// the last three signed), "next io:\t12ms". A line the file lacks stays nullopt.
struct BcacheWriteback {
  std::optional<std::uint64_t> rate, dirty, target;
  std::optional<std::int64_t> proportional, integral, change, next_io_ms;
};
procfs::Result<BcacheWriteback> ParseBcacheWriteback(std::string_view path, std::string_view text);

// priority_stats of a cache device: "Unused:\t\t12%", "Metadata:\t0%", ...
struct BcachePriority {
  std::optional<std::uint64_t> unused_percent, metadata_percent;
};
procfs::Result<BcachePriority> ParseBcachePriority(std::string_view path, std::string_view text);

// A cache set: its folder under the sysfs root ("fs/bcache/<uuid>") and the
// names of its backing devices (bdev[0-9]*) and caches (cache[0-9]*).
struct BcacheSet {
  std::string uuid;
  std::string dir;
  std::vector<std::string> bdevs;
  std::vector<std::string> caches;
};
// Every fs/bcache/*-* entry, sorted (as Go's filepath.Glob); none without
// fs/bcache.
procfs::Result<std::vector<BcacheSet>> ListBcacheSets(const procfs::RootDir& sys);

// The value of `path` (ParseBcacheValue), nullopt when the file does not exist.
procfs::Result<std::optional<std::uint64_t>> ReadBcacheValue(const procfs::RootDir& sys,
                                                             const std::string& path,
                                                             std::string& buffer);

}  // namespace vitals::sysfs
