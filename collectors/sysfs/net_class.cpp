#include "collectors/sysfs/net_class.h"

#include <cerrno>

#include "collectors/sysfs/attribute.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kClassDir = "class/net";

struct TextAttribute {
  std::string_view file;
  std::string NetClassIface::*field;
};
constexpr TextAttribute kTextAttributes[] = {
    {"address", &NetClassIface::address},   {"broadcast", &NetClassIface::broadcast},
    {"duplex", &NetClassIface::duplex},     {"ifalias", &NetClassIface::ifalias},
    {"operstate", &NetClassIface::operstate},
};

}  // namespace

const std::string_view kNetClassNumberFiles[kNetClassNumberCount] = {
    "addr_assign_type", "carrier", "carrier_changes", "carrier_up_count", "carrier_down_count",
    "dev_id", "dormant", "flags", "ifindex", "iflink", "link_mode", "mtu", "name_assign_type",
    "netdev_group", "speed", "tx_queue_len", "type",
};

procfs::Result<std::vector<std::string>> ReadNetClassDevices(const procfs::RootDir& sys) {
  return sys.Entries(kClassDir);
}

procfs::Result<bool> ReadNetClassIface(const procfs::RootDir& sys, std::string_view name,
                                       std::string& buffer, NetClassIface& out) {
  auto dir = sys.OpenSubdir(std::string(kClassDir) + "/" + std::string(name));
  if (!dir) {
    if (dir.error().code == procfs::Errc::kNotFound || dir.error().sys_errno == ENOTDIR) {
      return false;
    }
    return dir.error();
  }
  out.name.assign(name);
  for (const TextAttribute& attribute : kTextAttributes) {
    std::string& field = out.*attribute.field;
    field.clear();
    auto value = ReadAttribute(*dir, attribute.file, buffer);
    if (value) {
      field.assign(*value);
    } else if (!IsUnsupported(value.error())) {
      return value.error();
    }
  }
  for (std::size_t i = 0; i < kNetClassNumberCount; ++i) {
    out.numbers[i].reset();
    auto value = ReadAttribute(*dir, kNetClassNumberFiles[i], buffer);
    if (!value) {
      if (IsUnsupported(value.error())) {
        continue;
      }
      return value.error();
    }
    auto number = ParseIntAttribute(*dir, kNetClassNumberFiles[i], *value);
    if (!number) {
      return number.error();
    }
    out.numbers[i] = *number;
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return true;
}

}  // namespace vitals::sysfs
