#pragma once
// /proc/net/arp (proc(5), "/proc/net/arp"; net/ipv4/arp.c): a header line
// "IP address  HW type  Flags  HW address  Mask  Device", then one line per
// entry of the IPv4 neighbour table. node_exporter counts the entries per
// device, the line's last field.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct ArpDevice {
  std::string_view device;  // a view of the text parsed
  std::uint32_t entries = 0;
};

// Devices in the order first seen; `out` is reused.
Result<void> ParseArp(std::string_view text, std::vector<ArpDevice>& out);
// The views in `out` point into `buffer`.
Result<void> ReadArp(const ProcFs& fs, std::string& buffer, std::vector<ArpDevice>& out);

}  // namespace vitals::procfs
