#pragma once
// /proc/net/dev (proc(5), "/proc/net/dev"; net/core/net-procfs.c): two
// header lines naming the receive and transmit columns, then one line per
// network device, "<name>: <counters>". The columns are taken from the
// header, never by position; the name is everything before the line's last
// ':', trimmed as Go's strings.TrimSpace does (node_exporter reads it so).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct NetDevColumn {
  bool transmit = false;   // in the "Transmit" group, else "Receive"
  std::string_view name;   // "bytes", "packets", "errs", "drop", "colls", ...
};

// Reused from scrape to scrape; the views point into the text parsed.
struct NetDev {
  std::vector<NetDevColumn> columns;
  std::vector<std::string_view> devices;  // each once: a name listed twice is an error
  std::vector<std::uint64_t> values;      // devices.size() x columns.size(), row by row

  std::uint64_t value(std::size_t device, std::size_t column) const {
    return values[device * columns.size() + column];
  }
};

Result<void> ParseNetDev(std::string_view text, NetDev& out);
// The views in `out` point into `buffer`.
Result<void> ReadNetDev(const ProcFs& fs, std::string& buffer, NetDev& out);

}  // namespace vitals::procfs
