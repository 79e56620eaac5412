#pragma once
// /sys/class/infiniband (Documentation/ABI/stable/sysfs-class-infiniband):
// per device board_id, fw_ver and hca_type (not every driver has it), and
// per port ports/<n>/{state,phys_state} ("4: ACTIVE"), rate ("100 Gb/sec
// (4X EDR)") and the PMA counters in ports/<n>/counters/ (and the older
// counters_ext/), read as node_exporter 1.5.0's library reads them:
// counters as Go's ParseUint with base 0; the data counters, which the
// kernel gives per lane (divided by 4), multiplied by 4; a counter reading
// "N/A (no PMA)" left out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct InfiniBandCounterFile {
  std::string_view dir;   // "counters" or "counters_ext"
  std::string_view file;
  bool per_lane;          // the kernel divides it by the 4 lanes
};
// Every counter read, in the order of node_exporter's families.
inline constexpr InfiniBandCounterFile kInfiniBandCounters[] = {
    {"counters_ext", "port_multicast_rcv_packets", false},
    {"counters_ext", "port_multicast_xmit_packets", false},
    {"counters_ext", "port_rcv_data_64", true},
    {"counters_ext", "port_rcv_packets_64", false},
    {"counters_ext", "port_unicast_rcv_packets", false},
    {"counters_ext", "port_unicast_xmit_packets", false},
    {"counters_ext", "port_xmit_data_64", true},
    {"counters_ext", "port_xmit_packets_64", false},
    {"counters", "excessive_buffer_overrun_errors", false},
    {"counters", "link_downed", false},
    {"counters", "link_error_recovery", false},
    {"counters", "local_link_integrity_errors", false},
    {"counters", "multicast_rcv_packets", false},
    {"counters", "multicast_xmit_packets", false},
    {"counters", "port_rcv_constraint_errors", false},
    {"counters", "port_xmit_constraint_errors", false},
    {"counters", "port_rcv_data", true},
    {"counters", "port_xmit_data", true},
    {"counters", "port_rcv_discards", false},
    {"counters", "port_xmit_discards", false},
    {"counters", "port_rcv_errors", false},
    {"counters", "port_rcv_packets", false},
    {"counters", "port_xmit_packets", false},
    {"counters", "port_xmit_wait", false},
    {"counters", "unicast_rcv_packets", false},
    {"counters", "unicast_xmit_packets", false},
    {"counters", "port_rcv_remote_physical_errors", false},
    {"counters", "port_rcv_switch_relay_errors", false},
    {"counters", "symbol_error", false},
    {"counters", "VL15_dropped", false},
};
inline constexpr std::size_t kInfiniBandCounterCount = std::size(kInfiniBandCounters);

struct InfiniBandPort {
  std::uint32_t number = 0;
  std::uint32_t state_id = 0;       // "4: ACTIVE" -> 4
  std::uint32_t phys_state_id = 0;  // "5: LinkUp" -> 5
  std::uint64_t rate = 0;           // bytes per second
  std::optional<std::uint64_t> counters[kInfiniBandCounterCount];
};

struct InfiniBandDevice {
  std::string name, board_id, firmware_version, hca_type;
  std::vector<InfiniBandPort> ports;
};

// "4: ACTIVE" -> 4 (node_exporter's parseState: exactly one ':').
std::optional<std::uint32_t> ParseInfiniBandState(std::string_view text);
// "100 Gb/sec (4X EDR)" -> 12500000000 bytes per second: the number read as
// a float32, times 125000000, as node_exporter computes it; nullopt past
// 2^64 bytes/s.
std::optional<std::uint64_t> ParseInfiniBandRate(std::string_view text);

// Every device. kNotFound when class/infiniband, or a file node_exporter
// requires (board_id, fw_ver, ports/, a port's state, phys_state, rate or
// counters/), is absent: node_exporter has no data then.
procfs::Result<std::vector<InfiniBandDevice>> ReadInfiniBand(const procfs::RootDir& sys,
                                                             std::string& buffer);

}  // namespace vitals::sysfs
