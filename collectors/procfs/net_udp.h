#pragma once
// /proc/net/udp and /proc/net/udp6: one line per UDP socket after a header
// (proc(5), "/proc/net/udp"); of each, tx_queue:rx_queue (hex bytes).

#include <cstdint>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct UdpQueues {
  std::uint64_t tx_bytes = 0;  // sum of tx_queue over the sockets
  std::uint64_t rx_bytes = 0;  // sum of rx_queue
  std::uint64_t sockets = 0;
};

// `path` ("net/udp", "net/udp6") names the file in errors.
Result<UdpQueues> ParseUdpQueues(std::string_view path, std::string_view text);
Result<UdpQueues> ReadUdpQueues(const ProcFs& fs, std::string_view path, std::string& buffer);

}  // namespace vitals::procfs
