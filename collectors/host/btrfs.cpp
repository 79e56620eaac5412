// node_exporter's "btrfs" collector: each Btrfs filesystem's label, space
// reserved, allocated and used per block group type and profile, from
// /sys/fs/btrfs/<fsid>/; and its devices: for a filesystem mounted where
// --path.rootfs sees it, each device's size, unused bytes and error counters
// from the kernel's ioctls (BTRFS_IOC_FS_INFO, _DEV_INFO, _GET_DEV_STATS, as
// node_exporter 1.5.0 asks them), otherwise only its size from sysfs.

#include "collectors/sysfs/btrfs.h"

#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "collectors/collector_registry.h"
#include "collectors/procfs/mounts.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;

const std::vector<std::string_view> kFs = {"uuid"};
const std::vector<std::string_view> kType = {"uuid", "block_group_type"};
const std::vector<std::string_view> kLayout = {"uuid", "block_group_type", "mode"};
const MetricDesc kInfo{
    "node_btrfs_info", "Filesystem information", MetricType::Gauge, {"uuid", "label"}};
const MetricDesc kGlobalRsv{"node_btrfs_global_rsv_size_bytes", "Size of global reserve.",
                            MetricType::Gauge, kFs};
const MetricDesc kReserved{"node_btrfs_reserved_bytes", "Amount of space reserved for a data type",
                           MetricType::Gauge, kType};
const MetricDesc kUsed{"node_btrfs_used_bytes", "Amount of used space by a layout/data type",
                       MetricType::Gauge, kLayout};
const MetricDesc kSize{"node_btrfs_size_bytes", "Amount of space allocated for a layout/data type",
                       MetricType::Gauge, kLayout};
const MetricDesc kRatio{"node_btrfs_allocation_ratio",
                        "Data allocation ratio for a layout/data type", MetricType::Gauge, kLayout};
constexpr std::string_view kDeviceSizeHelp = "Size of a device that is part of the filesystem.";
// Devices seen in sysfs only, and through the ioctls (with the device's uuid).
const MetricDesc kDeviceSize{
    "node_btrfs_device_size_bytes", kDeviceSizeHelp, MetricType::Gauge, {"uuid", "device"}};
const MetricDesc kIoctlDeviceSize{"node_btrfs_device_size_bytes",
                                  kDeviceSizeHelp,
                                  MetricType::Gauge,
                                  {"uuid", "device", "btrfs_dev_uuid"}};
const MetricDesc kDeviceUnused{"node_btrfs_device_unused_bytes",
                               "Unused bytes unused on a device that is part of the filesystem.",
                               MetricType::Gauge,
                               {"uuid", "device", "btrfs_dev_uuid"}};
const MetricDesc kDeviceErrors{"node_btrfs_device_errors_total",
                               "Errors reported for the device",
                               MetricType::Counter,
                               {"uuid", "type", "device", "btrfs_dev_uuid"}};
const MetricDesc kDescs[] = {kInfo,  kGlobalRsv,  kReserved,     kUsed,        kSize,
                             kRatio, kDeviceSize, kDeviceUnused, kDeviceErrors};

// BTRFS_DEV_STAT_* in order, as the kernel counts them.
constexpr std::string_view kErrorTypes[] = {"write", "read", "flush", "corruption", "generation"};

// One device as the ioctls describe it.
struct IoctlDevice {
  std::string name;  // the last element of its path, "/dev/sda1" -> "sda1"
  std::string uuid;  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "<zero>" when all zero
  std::uint64_t bytes_used = 0, total_bytes = 0;
  std::uint64_t errors[std::size(kErrorTypes)] = {};
};

std::string Hex(const std::uint8_t* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

// A device uuid as the Go library prints it.
std::string DeviceUuid(const std::uint8_t (&uuid)[BTRFS_UUID_SIZE]) {
  bool zero = true;
  for (std::uint8_t b : uuid) {
    zero = zero && b == 0;
  }
  if (zero) {
    return "<zero>";
  }
  std::string hex = Hex(uuid, BTRFS_UUID_SIZE);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The filesystem's fsid (hex, no dashes) and devices, through the ioctls on
// its mount point `path`, as node_exporter's Go library asks them; nullopt
// where that fails (not the root of a btrfs, no permission, an error).
std::optional<std::pair<std::string, std::vector<IoctlDevice>>> AskKernel(const std::string& path) {
  // The root of a subvolume: a directory numbered BTRFS_FIRST_FREE_OBJECTID
  // on a btrfs.
  struct stat st {};
  struct statfs fs {};
  if (::stat(path.c_str(), &st) != 0 || st.st_ino != BTRFS_FIRST_FREE_OBJECTID ||
      !S_ISDIR(st.st_mode) || ::statfs(path.c_str(), &fs) != 0 ||
      static_cast<std::uint32_t>(fs.f_type) != BTRFS_SUPER_MAGIC) {
    return std::nullopt;
  }
  Fd dir(::open(path.c_str(), O_RDONLY | O_NOATIME | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK));
  if (dir.get() < 0) {
    return std::nullopt;
  }
  btrfs_ioctl_fs_info_args info{};
  if (::ioctl(dir.get(), BTRFS_IOC_FS_INFO, &info) != 0) {
    return std::nullopt;
  }
  std::vector<IoctlDevice> devices;
  // Device ids need not start at 0 nor be contiguous.
  for (std::uint64_t id = 0; id <= info.max_id; ++id) {
    btrfs_ioctl_dev_info_args dev{};
    dev.devid = id;
    if (::ioctl(dir.get(), BTRFS_IOC_DEV_INFO, &dev) != 0) {
      if (errno == ENODEV) {
        continue;
      }
      return std::nullopt;
    }
    btrfs_ioctl_get_dev_stats stats{};
    stats.devid = id;
    stats.nr_items = BTRFS_DEV_STAT_VALUES_MAX;
    if (::ioctl(dir.get(), BTRFS_IOC_GET_DEV_STATS, &stats) != 0) {
      return std::nullopt;
    }
    IoctlDevice device;
    std::string_view device_path(
        reinterpret_cast<const char*>(dev.path),
        ::strnlen(reinterpret_cast<const char*>(dev.path), sizeof(dev.path)));
    device.name = std::string(device_path.substr(device_path.rfind('/') + 1));
    device.uuid = DeviceUuid(dev.uuid);
    device.bytes_used = dev.bytes_used;
    device.total_bytes = dev.total_bytes;
    for (std::size_t i = 0; i < std::size(kErrorTypes); ++i) {
      device.errors[i] = stats.values[i];
    }
    devices.push_back(std::move(device));
    if (devices.size() == info.num_devices) {
      break;
    }
  }
  return std::pair{Hex(info.fsid, BTRFS_FSID_SIZE), std::move(devices)};
}

class BtrfsCollector : public Collector {
 public:
  explicit BtrfsCollector(const CollectorContext& ctx)
      : proc_(ctx.proc), sys_(ctx.sys), rootfs_(ctx.root.root().string()) {}
  std::string_view name() const override { return "btrfs"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto filesystems = sysfs::ReadBtrfs(sys_, buffer_);
    if (!filesystems) {
      return filesystems.error();
    }
    if (filesystems->empty()) {
      return {};
    }
    const auto mounted = AskMounted();
    std::set<std::string_view> seen;
    for (const sysfs::BtrfsFilesystem& fs : *filesystems) {
      if (!seen.insert(fs.uuid).second) {
        return procfs::ParseError("fs/btrfs", "two filesystems have the uuid \"" + fs.uuid + "\"");
      }
      std::string fsid = fs.uuid;
      std::erase(fsid, '-');
      auto devices = mounted.find(fsid);
      Emit(fs, devices == mounted.end() ? nullptr : &devices->second, out);
    }
    return {};
  }

 private:
  // The devices of each filesystem mounted in the mount table (by fsid, hex),
  // asked once per filesystem through its first mount that answers. A table
  // that cannot be read leaves every filesystem to sysfs, as in node_exporter.
  std::map<std::string, std::vector<IoctlDevice>> AskMounted() {
    std::map<std::string, std::vector<IoctlDevice>> out;
    auto mounts = procfs::ParseReadAndRelease(
        procfs::ReadMountTable(proc_, mounts_buffer_), mounts_buffer_,
        [](std::string_view t) { return procfs::ParseMounts("1/mounts", t); });
    if (!mounts) {
      return out;
    }
    std::set<std::string> devices_done;
    for (procfs::Mount& mount : *mounts) {
      if (mount.fs_type != "btrfs" || devices_done.count(mount.device) != 0) {
        continue;
      }
      const std::string mount_point =
          procfs::MountPointUnderRootfs(rootfs_, std::move(mount.mount_point));
      auto asked = AskKernel(procfs::RootfsPath(rootfs_, mount_point));
      if (!asked || out.count(asked->first) != 0) {
        continue;
      }
      devices_done.insert(mount.device);
      out.emplace(std::move(asked->first), std::move(asked->second));
    }
    return out;
  }

  static void Emit(const sysfs::BtrfsFilesystem& fs, const std::vector<IoctlDevice>* devices,
                   MetricSink& out) {
    const std::string_view uuid = fs.uuid;
    out.Add(kInfo, 1, {uuid, fs.label});
    if (fs.global_rsv_size) {
      out.Add(kGlobalRsv, static_cast<double>(*fs.global_rsv_size), {uuid});
    }
    for (auto [type, allocation] :
         {std::pair{"data", &fs.data}, std::pair{"metadata", &fs.metadata},
          std::pair{"system", &fs.system}}) {
      if (allocation->reserved_bytes) {
        out.Add(kReserved, static_cast<double>(*allocation->reserved_bytes), {uuid, type});
      }
      for (const sysfs::BtrfsLayout& layout : allocation->layouts) {
        if (layout.used_bytes) {
          out.Add(kUsed, static_cast<double>(*layout.used_bytes), {uuid, type, layout.mode});
        }
        if (layout.total_bytes) {
          out.Add(kSize, static_cast<double>(*layout.total_bytes), {uuid, type, layout.mode});
        }
        out.Add(kRatio, layout.ratio, {uuid, type, layout.mode});
      }
    }
    if (devices == nullptr) {
      for (const sysfs::BtrfsDevice& device : fs.devices) {
        if (device.size_bytes) {
          out.Add(kDeviceSize, static_cast<double>(*device.size_bytes), {uuid, device.name});
        }
      }
      return;
    }
    for (const IoctlDevice& device : *devices) {
      out.Add(kIoctlDeviceSize, static_cast<double>(device.total_bytes),
              {uuid, device.name, device.uuid});
      out.Add(kDeviceUnused, static_cast<double>(device.total_bytes - device.bytes_used),
              {uuid, device.name, device.uuid});
      for (std::size_t i = 0; i < std::size(kErrorTypes); ++i) {
        out.Add(kDeviceErrors, static_cast<double>(device.errors[i]),
                {uuid, kErrorTypes[i], device.name, device.uuid});
      }
    }
  }

  const procfs::ProcFs& proc_;
  const procfs::RootDir& sys_;
  const std::string rootfs_;
  std::string buffer_, mounts_buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(btrfs, "Btrfs filesystems, from /sys/fs/btrfs and the kernel's ioctls",
                          kEnabled, {}, BtrfsCollector);

}  // namespace vitals::collectors
