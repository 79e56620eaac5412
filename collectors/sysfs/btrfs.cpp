#include "collectors/sysfs/btrfs.h"

#include "collectors/procfs/go_text.h"
#include "collectors/procfs/parse_util.h"
#include "collectors/sysfs/uuid_dirs.h"

namespace vitals::sysfs {

namespace {

using procfs::Result;

constexpr std::size_t kSectorSize = 512;
// procfs reads sysfs files with one read(2) of this many bytes.
constexpr std::size_t kSysReadSize = 128;

// A small file as procfs' SysReadFile reads it; nullopt when it does not exist.
Result<std::optional<std::string>> ReadSmall(const procfs::RootDir& sys, const std::string& path,
                                             std::string& buffer) {
  auto text = sys.ReadInto(path, buffer);
  if (!text) {
    if (text.error().code == procfs::Errc::kNotFound) {
      return std::optional<std::string>();
    }
    return text.error();
  }
  return std::optional<std::string>(procfs::detail::GoTrimSpace(text->substr(0, kSysReadSize)));
}

Result<std::optional<std::uint64_t>> ReadValue(const procfs::RootDir& sys, const std::string& path,
                                               std::string& buffer) {
  auto text = ReadSmall(sys, path, buffer);
  if (!text) {
    return text.error();
  }
  if (!*text) {
    return std::optional<std::uint64_t>();
  }
  auto value = procfs::detail::ToU64(**text);
  if (!value) {
    return procfs::ParseError(path, "\"" + **text + "\" is not a decimal number");
  }
  return std::optional<std::uint64_t>(*value);
}

double Ratio(std::string_view mode, std::size_t devices) {
  const double n = static_cast<double>(devices);
  if (mode == "single" || mode == "raid0") {
    return 1;
  }
  if (mode == "dup" || mode == "raid1" || mode == "raid10") {
    return 2;
  }
  if (mode == "raid5") {
    return n / (n - 1);
  }
  if (mode == "raid6") {
    return n / (n - 2);
  }
  return 0;
}

Result<BtrfsAllocation> ReadAllocation(const procfs::RootDir& sys, const std::string& dir,
                                       std::size_t devices, std::string& buffer) {
  BtrfsAllocation out;
  auto reserved = ReadValue(sys, dir + "/bytes_reserved", buffer);
  if (!reserved) {
    return reserved.error();
  }
  out.reserved_bytes = *reserved;
  auto entries = sys.TypedEntries(dir);
  if (!entries) {
    return entries.error();
  }
  for (const auto& entry : *entries) {
    if (entry.type != procfs::RootDir::EntryType::kDirectory) {
      continue;  // Go's IsDir(): a symlink to a directory is not one
    }
    const std::string& mode = entry.name;
    BtrfsLayout layout{mode, {}, {}, Ratio(mode, devices)};
    auto total = ReadValue(sys, dir + "/" + mode + "/total_bytes", buffer);
    if (!total) {
      return total.error();
    }
    auto used = ReadValue(sys, dir + "/" + mode + "/used_bytes", buffer);
    if (!used) {
      return used.error();
    }
    layout.total_bytes = *total;
    layout.used_bytes = *used;
    out.layouts.push_back(std::move(layout));
  }
  return out;
}

Result<BtrfsFilesystem> ReadFilesystem(const procfs::RootDir& sys, const std::string& name,
                                       std::string& buffer) {
  const std::string dir = "fs/btrfs/" + name;
  BtrfsFilesystem fs;
  auto label = ReadSmall(sys, dir + "/label", buffer);
  auto uuid = ReadSmall(sys, dir + "/metadata_uuid", buffer);
  if (!label || !uuid) {
    return !label ? label.error() : uuid.error();
  }
  fs.label = label->value_or("");
  fs.uuid = uuid->value_or("");
  if (fs.uuid.empty()) {
    fs.uuid = name;  // metadata_uuid came with Linux 5.0
  }
  auto devices = sys.Entries(dir + "/devices");
  if (!devices) {
    return devices.error();
  }
  for (const std::string& device : *devices) {
    auto size = ReadValue(sys, dir + "/devices/" + device + "/size", buffer);
    if (!size) {
      return size.error();
    }
    // Wraps past 2^64 as procfs' uint64 product does.
    fs.devices.push_back(
        {device, *size ? std::optional<std::uint64_t>(**size * kSectorSize) : std::nullopt});
  }
  auto rsv = ReadValue(sys, dir + "/allocation/global_rsv_size", buffer);
  if (!rsv) {
    return rsv.error();
  }
  fs.global_rsv_size = *rsv;
  for (auto [type, out] : {std::pair{"data", &fs.data}, std::pair{"metadata", &fs.metadata},
                           std::pair{"system", &fs.system}}) {
    auto allocation = ReadAllocation(sys, dir + "/allocation/" + type, devices->size(), buffer);
    if (!allocation) {
      return allocation.error();
    }
    *out = std::move(*allocation);
  }
  return fs;
}

}  // namespace

Result<std::vector<BtrfsFilesystem>> ReadBtrfs(const procfs::RootDir& sys, std::string& buffer) {
  std::vector<BtrfsFilesystem> out;
  auto names = UuidEntries(sys, "fs/btrfs");
  if (!names) {
    return names.error();
  }
  for (const std::string& name : *names) {
    auto fs = ReadFilesystem(sys, name, buffer);
    if (!fs) {
      return fs.error();
    }
    out.push_back(std::move(*fs));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
