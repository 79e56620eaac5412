#pragma once
// /sys/class/fc_host/<host> (drivers/scsi/scsi_transport_fc.c;
// Documentation/ABI/testing/sysfs-class-fc_host): the host's attributes
// (speed "16 Gbit", port_state "Online", port_name "0x21000024ff2b1234",
// ...) and its statistics/ counters ("0x1a"; 0xffffffffffffffff when the
// HBA does not implement one), read as node_exporter 1.5.0's library reads
// them: every attribute below must read; the "0x" of the names and ids is
// cut; counters as Go's ParseUint with base 0.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

// The host attributes read, in this order.
enum FibreChannelAttribute : std::size_t {
  kFcSpeed, kFcPortState, kFcPortType, kFcNodeName, kFcPortId, kFcPortName, kFcFabricName,
  kFcDevLossTmo, kFcSymbolicName, kFcSupportedClasses, kFcSupportedSpeeds, kFcAttributeCount
};
extern const std::string_view kFibreChannelAttributes[kFcAttributeCount];

// The statistics/ counters read, in the order of node_exporter's families.
inline constexpr std::string_view kFibreChannelCounters[] = {
    "dumped_frames", "error_frames", "invalid_crc_count", "rx_frames", "rx_words", "tx_frames",
    "tx_words", "seconds_since_last_reset", "invalid_tx_word_count", "link_failure_count",
    "loss_of_sync_count", "loss_of_signal_count", "nos_count", "fcp_packet_aborts",
};
inline constexpr std::size_t kFibreChannelCounterCount = std::size(kFibreChannelCounters);

struct FibreChannelHost {
  std::string name;
  std::string attributes[kFcAttributeCount];
  // Unset when the file is absent or the driver cannot read it now
  // (node_exporter reports 0 for those).
  std::optional<std::uint64_t> counters[kFibreChannelCounterCount];
};

// Every host. kNotFound when class/fc_host or a host's statistics/ is
// absent (node_exporter has no data then); any attribute that cannot be
// read, or a counter that is not a number, is an error.
procfs::Result<std::vector<FibreChannelHost>> ReadFibreChannel(const procfs::RootDir& sys,
                                                               std::string& buffer);

}  // namespace vitals::sysfs
