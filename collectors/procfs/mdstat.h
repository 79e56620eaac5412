#pragma once
// /proc/mdstat (Documentation/admin-guide/md.rst; drivers/md/md.c,
// md_seq_show): per md device a line "md0 : active raid1 sdb1[1] sda1[0]",
// then its status line ("1953382464 blocks super 1.2 [2/2] [UU]"), an
// optional resync line ("[==>...]  recovery = 12.6% (246496/1953382464)
// finish=145.2min speed=200000K/sec", "resync=DELAYED", "resync=PENDING")
// and an optional bitmap line.
//
// Read as node_exporter 1.5.0 reads it (procfs 0.8.0's parseMDStat), with
// the same matching rules, so that both report the same states and counts:
// a device line is any line not starting with a space, "Personalities" or
// "unused"; failed and spare disks are the "(F)" and "(S)" marks on it; the
// totals come from the status line's "[n/m] [UU_]" (raid0 and linear count
// the "[" of the device line, an inactive array has none); the resync line
// (after a bitmap line, if any) names the activity, checked in the order
// recovery, check, resync.

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct MdStat {
  std::string_view name;  // "md0"; views the text
  // The device line's third field ("active", "inactive"), or "recovering",
  // "checking", "resyncing" while one runs.
  std::string_view activity;
  std::int64_t disks_active = 0;
  std::int64_t disks_total = 0;  // the disks the array needs
  std::int64_t disks_failed = 0;
  std::int64_t disks_spare = 0;
  std::int64_t disks_down = 0;  // "_" in the status line
  std::int64_t blocks_total = 0;
  std::int64_t blocks_synced = 0;  // blocks_total unless a resync runs (0 while one waits)
};

Result<std::vector<MdStat>> ParseMdstat(std::string_view text);

}  // namespace vitals::procfs
