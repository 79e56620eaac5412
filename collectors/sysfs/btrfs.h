#pragma once
// Btrfs in sysfs (Documentation/ABI/testing/sysfs-fs-btrfs; fs/btrfs/sysfs.c):
// /sys/fs/btrfs/<fsid>/ per mounted filesystem, with label, metadata_uuid,
// devices/<name>/size (512-byte sectors), allocation/global_rsv_size and
// allocation/{data,metadata,system}/ (bytes_reserved, and a folder per
// profile in use: single, dup, raid0, raid1, ... with total_bytes and
// used_bytes).
//
// Read as node_exporter 1.5.0 reads it (procfs 0.8.0's btrfs package): small
// files by one read of at most 128 bytes, white space trimmed; the
// filesystem's uuid is metadata_uuid, or the folder's name when that is
// absent or empty. Where procfs takes a value file that is not a number for
// 0, vitals reports an error; a value file that does not exist is left out
// (nullopt) where procfs reports 0.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct BtrfsLayout {
  std::string mode;  // the profile: "single", "dup", "raid1", ...
  std::optional<std::uint64_t> total_bytes, used_bytes;
  // Bytes of disk per byte of data, as procfs computes it from the profile
  // and the number of devices (raid5: n/(n-1), raid6: n/(n-2); 0 when unknown).
  double ratio = 0;
};

struct BtrfsAllocation {
  std::optional<std::uint64_t> reserved_bytes;
  std::vector<BtrfsLayout> layouts;
};

struct BtrfsDevice {
  std::string name;                         // "sda1", "loop0": the entry in devices/
  std::optional<std::uint64_t> size_bytes;  // size * 512
};

struct BtrfsFilesystem {
  std::string uuid;
  std::string label;
  std::optional<std::uint64_t> global_rsv_size;
  BtrfsAllocation data, metadata, system;
  std::vector<BtrfsDevice> devices;
};

// Every fs/btrfs/*-* folder, sorted; none without fs/btrfs.
procfs::Result<std::vector<BtrfsFilesystem>> ReadBtrfs(const procfs::RootDir& sys,
                                                       std::string& buffer);

}  // namespace vitals::sysfs
