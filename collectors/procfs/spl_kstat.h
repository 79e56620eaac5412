#pragma once
// OpenZFS kstats under /proc/spl/kstat/zfs (the SPL's kstat files; format in
// OpenZFS module/os/linux/spl/spl-kstat.c):
//   - named kstats (arcstats, dmu_tx, fm, zil, ..., and a pool's objset-0x*):
//     a header line of numbers, a "name type data" line, then one
//     "<name> <type> <value>" line per statistic; type 4 is KSTAT_DATA_UINT64
//     (7, a string, holds an objset's dataset_name);
//   - a pool's io (KSTAT_TYPE_IO): the header line, a line of column names
//     starting "nread nwritten reads writes ..." and a line of values;
//   - a pool's state: one word, "ONLINE", "DEGRADED", ...
// Read as node_exporter 1.5.0 reads them: only uint64 statistics are taken,
// lines before "name type data" (or the io column line) are skipped, and a
// named file without that line is an error.

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/procfs/result.h"

namespace vitals::procfs {

struct KstatValue {
  std::string_view name;  // the statistic's name, as in the file
  std::uint64_t value = 0;
  // objset files: the dataset_name seen before this line ("" before any).
  std::string_view dataset;
};

// A named kstat's uint64 statistics in file order. `path` names the file in
// errors. The result views `text`; `out` is reused.
Result<void> ParseKstatNamed(std::string_view path, std::string_view text,
                             std::vector<KstatValue>& out);

// A pool's io kstat: the column names, then each line after them as values
// of those columns (in order). No column line: nothing, and no error.
Result<void> ParseKstatIo(std::string_view path, std::string_view text,
                          std::vector<KstatValue>& out);

// A pool's state file: its first line, in lower case ("online").
std::string ParseKstatPoolState(std::string_view text);

}  // namespace vitals::procfs
