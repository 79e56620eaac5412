#pragma once
// /sys/class/net/<iface>/* (Documentation/ABI/testing/sysfs-class-net): one
// directory per network device (a symlink into /sys/devices; class/net also
// holds regular files such as bonding_masters, which are not devices), its
// attributes one value per file. Read as node_exporter's netclass collector
// reads them: each attribute's first 128 bytes, trimmed; integers as Go's
// ParseInt with base 0 ("flags" is hex); an attribute that is absent, not
// readable, or unsupported by the driver now (EOPNOTSUPP, EINVAL: the speed
// of a link that is down) is left unset.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

// The integer attributes node_exporter exports, by file name.
enum NetClassNumber : std::size_t {
  kAddrAssignType, kCarrier, kCarrierChanges, kCarrierUpCount, kCarrierDownCount, kDevId, kDormant,
  kFlags, kIfindex, kIflink, kLinkMode, kMtu, kNameAssignType, kNetdevGroup, kSpeed, kTxQueueLen,
  kType, kNetClassNumberCount
};
extern const std::string_view kNetClassNumberFiles[kNetClassNumberCount];

struct NetClassIface {
  std::string name;
  std::string address, broadcast, duplex, ifalias, operstate;
  std::optional<std::int64_t> numbers[kNetClassNumberCount];
};

// The entries of class/net, sorted; kNotFound when sysfs has no class/net.
procfs::Result<std::vector<std::string>> ReadNetClassDevices(const procfs::RootDir& sys);

// The attributes of device `name` into `out` (reused). false when class/net/
// <name> is not a directory (a regular file such as bonding_masters) or is
// gone (the device was removed after the listing). An attribute that
// exists but does not read as an integer is an error naming the file.
procfs::Result<bool> ReadNetClassIface(const procfs::RootDir& sys, std::string_view name,
                                       std::string& buffer, NetClassIface& out);

}  // namespace vitals::sysfs
