// The storage collectors (filesystem, diskstats, mdadm, bcache, btrfs, xfs)
// built by name through the registry on temporary trees: their families,
// flags, and what each does when its files are absent, as node_exporter.

#include <sys/vfs.h>

#include <catch2/catch.hpp>
#include <stdexcept>

#include "tests/unit/host/proc_tree.h"

using namespace vitals::collectors;
using namespace vitals::testing;  // ProcTree, Collect, FindFamily, Sample
using vitals::procfs::Errc;

namespace {

Labels Fs(std::string device, std::string mount_point, std::string type) {
  return {{"device", std::move(device)},
          {"mountpoint", std::move(mount_point)},
          {"fstype", std::move(type)}};
}

}  // namespace

TEST_CASE("filesystem: statfs of each mount under --path.rootfs, as node_exporter",
          "[collectors]") {
  ProcTree tree;
  tree.Mkdir("rootfs/data");
  tree.Mkdir("rootfs/with space");
  tree.Mkdir("rootfs/new\nline");
  tree.Write("1/mounts",
             "/dev/vda1 /data ext4 rw,relatime 0 0\n"
             "/dev/vda1 /data ext4 rw,relatime 0 0\n"  // the same line again: once
             "/dev/vda2 /with\\040space ext4 ro,relatime 0 0\n"
             "/dev/vda3 /new\\012line ext4 rw 0 0\n"
             "fileserver:/x /gone nfs4 rw 0 0\n"  // no such directory: an error
             "proc /proc proc rw 0 0\n"           // excluded by mount point and type
             "udev /dev devtmpfs rw 0 0\n"
             "tmpfs /srv/tmp tmpfs rw 0 0\n"
             "cgroup2 /srv/cgroup cgroup2 rw 0 0\n");  // excluded by type
  auto c = Collect(*tree.Make("filesystem"));
  REQUIRE(c.result.ok());

  struct statfs st {};
  REQUIRE(::statfs((tree.path() / "rootfs/data").c_str(), &st) == 0);
  const auto data = Fs("/dev/vda1", "/data", "ext4");
  CHECK(Sample(c.families, "node_filesystem_device_error", data) == 0);
  CHECK(Sample(c.families, "node_filesystem_size_bytes", data) ==
        static_cast<double>(st.f_blocks) * static_cast<double>(st.f_bsize));
  CHECK(Sample(c.families, "node_filesystem_files", data) == static_cast<double>(st.f_files));
  CHECK(Sample(c.families, "node_filesystem_readonly", data) == 0);
  CHECK(Sample(c.families, "node_filesystem_readonly", Fs("/dev/vda2", "/with space", "ext4")) ==
        1);
  // The label keeps the kernel's escape, as node_exporter's; statfs finds the directory.
  CHECK(Sample(c.families, "node_filesystem_device_error",
               Fs("/dev/vda3", "/new\\012line", "ext4")) == 0);
  CHECK(Sample(c.families, "node_filesystem_device_error", Fs("fileserver:/x", "/gone", "nfs4")) ==
        1);
  CHECK_FALSE(
      Sample(c.families, "node_filesystem_size_bytes", Fs("fileserver:/x", "/gone", "nfs4")));
  CHECK(Sample(c.families, "node_filesystem_device_error", Fs("tmpfs", "/srv/tmp", "tmpfs")) == 1);
  CHECK(SeriesOf(c.families, "node_filesystem_device_error") == 5);
  CHECK(SeriesOf(c.families, "node_filesystem_size_bytes") == 3);
  CHECK(c.families.size() == 7);
  // Each failing mount is logged with its path and why (node_exporter: debug only).
  REQUIRE(c.warnings.size() == 2);
  CHECK_THAT(c.warnings[0], Catch::Contains("rootfs/gone: No such file or directory") &&
                                Catch::Contains("node_filesystem_device_error 1"));
  CHECK_THAT(c.warnings[1], Catch::Contains("rootfs/srv/tmp: No such file or directory"));

  SECTION("where hidepid hides pid 1, /proc/mounts; with neither, an error") {
    tree.Remove("1/mounts");
    tree.Write("mounts", "/dev/vda1 /data ext4 rw 0 0\n");
    auto fallback = Collect(*tree.Make("filesystem"));
    REQUIRE(fallback.result.ok());
    CHECK(SeriesOf(fallback.families, "node_filesystem_size_bytes") == 1);
    tree.Remove("mounts");
    auto none = Collect(*tree.Make("filesystem"));
    REQUIRE_FALSE(none.result.ok());
    CHECK(none.result.error().code == Errc::kNotFound);
  }
  SECTION("a garbled mount table is an error, and the next good one is read") {
    auto collector = tree.Make("filesystem");
    tree.Write("1/mounts", "/dev/vda1 /data\n");
    auto bad = Collect(*collector);
    REQUIRE_FALSE(bad.result.ok());
    CHECK(bad.result.error().code == Errc::kParse);
    tree.Write("1/mounts", "/dev/vda1 /data ext4 rw 0 0\n");
    CHECK(Collect(*collector).result.ok());
  }
  SECTION("the old flag names, and what contradicts") {
    tree.SetFlag("collector.filesystem.ignored-mount-points", "^/data$");
    tree.SetFlag("collector.filesystem.ignored-fs-types", "^nfs4$");
    auto old_names = Collect(*tree.Make("filesystem"));
    // /proc, /dev and cgroup2 come back, nfs4 goes.
    CHECK(SeriesOf(old_names.families, "node_filesystem_device_error") == 6);
    CHECK_FALSE(Sample(old_names.families, "node_filesystem_device_error", data));
    tree.SetFlag("collector.filesystem.mount-points-exclude", "^/gone$");
    CHECK_THROWS_AS(tree.Make("filesystem"), std::invalid_argument);
  }
  SECTION("stat-workers must be a whole number, mount-timeout longer than 0") {
    tree.SetFlag("collector.filesystem.stat-workers", "0");  // at least one, as node_exporter
    CHECK(Collect(*tree.Make("filesystem")).result.ok());
    for (std::string bad : {"four", "1.5", "1000"}) {
      tree.SetFlag("collector.filesystem.stat-workers", bad);
      CHECK_THROWS_WITH(tree.Make("filesystem"),
                        Catch::Contains("invalid --collector.filesystem.stat-workers"));
    }
    tree.SetFlag("collector.filesystem.stat-workers", "4");
    tree.SetFlag("collector.filesystem.mount-timeout", "0s");
    CHECK_THROWS_WITH(tree.Make("filesystem"), Catch::Contains("mount-timeout"));
  }
}

TEST_CASE("diskstats: counters by field count, udev's records, the device filter", "[collectors]") {
  ProcTree tree;
  tree.Write("diskstats",
             "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
             "   8       1 sda1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
             " 253       0 dm-0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"
             "   9       0 md0 1 2 3 4 5 6 7 8 9 10 11\n"
             "   7       0 loop0 1 2 3 4 5 6 7 8 9 10 11\n");
  tree.Write("udev/b8:0",
             "E:ID_ATA=1\nE:ID_MODEL=SSD\nE:ID_SERIAL_SHORT=S1\nE:ID_WWN=0x5\n"
             "E:ID_PATH=pci-0\nE:ID_REVISION=R1\nE:ID_ATA_WRITE_CACHE=1\n"
             "E:ID_ATA_ROTATION_RATE_RPM=7200\nE:ID_ATA_WRITE_CACHE_ENABLED=no\n");
  tree.Write("udev/b253:0",
             "E:DM_NAME=vg0-home\nE:DM_VG_NAME=vg0\nE:DM_LV_NAME=home\n"
             "E:ID_FS_TYPE=ext4\nE:ID_FS_USAGE=filesystem\nE:ID_FS_UUID=u\n");
  tree.SetFlag("path.udev.data", (tree.path() / "udev").string());
  auto c = Collect(*tree.Make("diskstats"));
  REQUIRE(c.result.ok());
  CHECK(Sample(c.families, "node_disk_info",
               {{"device", "sda"},
                {"major", "8"},
                {"minor", "0"},
                {"path", "pci-0"},
                {"wwn", "0x5"},
                {"model", "SSD"},
                {"serial", "S1"},
                {"revision", "R1"}}) == 1);
  CHECK(Sample(c.families, "node_disk_info",
               {{"device", "md0"},
                {"major", "9"},
                {"minor", "0"},
                {"path", ""},
                {"wwn", ""},
                {"model", ""},
                {"serial", ""},
                {"revision", ""}}) == 1);
  CHECK(Sample(c.families, "node_disk_read_bytes_total", {{"device", "sda"}}) == 3 * 512);
  CHECK(Sample(c.families, "node_disk_read_time_seconds_total", {{"device", "sda"}}) == 4 * 0.001);
  CHECK(Sample(c.families, "node_disk_discarded_sectors_total", {{"device", "sda"}}) == 14);
  CHECK(Sample(c.families, "node_disk_flush_requests_time_seconds_total", {{"device", "sda"}}) ==
        17 * 0.001);
  // 18 fields: discards, no flushes; 14: neither.
  CHECK(Sample(c.families, "node_disk_discard_time_seconds_total", {{"device", "dm-0"}}) ==
        15 * 0.001);
  CHECK_FALSE(Sample(c.families, "node_disk_flush_requests_total", {{"device", "dm-0"}}));
  CHECK(Sample(c.families, "node_disk_io_time_weighted_seconds_total", {{"device", "md0"}}) ==
        11 * 0.001);
  CHECK_FALSE(Sample(c.families, "node_disk_discards_completed_total", {{"device", "md0"}}));
  CHECK(SeriesOf(c.families, "node_disk_info") == 3);  // sda1 and loop0 excluded by default
  CHECK(Sample(c.families, "node_disk_ata_rotation_rate_rpm", {{"device", "sda"}}) == 7200);
  CHECK(Sample(c.families, "node_disk_ata_write_cache", {{"device", "sda"}}) == 1);
  CHECK_FALSE(Sample(c.families, "node_disk_ata_write_cache_enabled", {{"device", "sda"}}));
  REQUIRE(c.warnings.size() == 1);  // the "no" is logged, not dropped silently
  CHECK_THAT(c.warnings[0], Catch::Contains("udev/b8:0: node_disk_ata_write_cache_enabled") &&
                                Catch::Contains("\"no\" is not a number"));
  CHECK(Sample(c.families, "node_disk_device_mapper_info",
               {{"device", "dm-0"},
                {"name", "vg0-home"},
                {"uuid", ""},
                {"vg_name", "vg0"},
                {"lv_name", "home"},
                {"lv_layer", ""}}) == 1);
  CHECK(Sample(c.families, "node_disk_filesystem_info",
               {{"device", "dm-0"},
                {"type", "ext4"},
                {"usage", "filesystem"},
                {"uuid", "u"},
                {"version", ""}}) == 1);

  SECTION("without udev's data every label it gives is empty") {
    tree.SetFlag("path.udev.data", (tree.path() / "no-udev").string());
    auto bare = Collect(*tree.Make("diskstats"));
    REQUIRE(bare.result.ok());
    CHECK(SeriesOf(bare.families, "node_disk_info") == 3);
    CHECK_FALSE(FindFamily(bare.families, "node_disk_ata_write_cache"));
  }
  SECTION("--collector.diskstats.device-include alone replaces the default exclusion") {
    tree.SetFlag("collector.diskstats.device-include", "^(sda1|loop0)$");
    auto included = Collect(*tree.Make("diskstats"));
    CHECK(SeriesOf(included.families, "node_disk_info") == 2);
    tree.SetFlag("collector.diskstats.device-exclude", "^loop");
    CHECK_THROWS_WITH(tree.Make("diskstats"), Catch::Contains("mutually exclusive"));
    tree.SetFlag("collector.diskstats.device-exclude", "");
    CHECK(SeriesOf(Collect(*tree.Make("diskstats")).families, "node_disk_info") == 2);
  }
  SECTION("--collector.diskstats.ignored-devices, the old name") {
    tree.SetFlag("collector.diskstats.ignored-devices", "^dm-");
    auto old = Collect(*tree.Make("diskstats"));
    CHECK(SeriesOf(old.families, "node_disk_info") == 4);  // sda, sda1, md0, loop0
  }
  SECTION("no /proc/diskstats is an error, as in node_exporter") {
    tree.Remove("diskstats");
    CHECK(Collect(*tree.Make("diskstats")).result.error().code == Errc::kNotFound);
  }
}

TEST_CASE("mdadm: no /proc/mdstat is no data, and states as node_md_state", "[collectors]") {
  ProcTree tree;
  auto none = Collect(*tree.Make("mdadm"));
  REQUIRE_FALSE(none.result.ok());
  CHECK(none.result.error().code == Errc::kNoData);
  tree.Write(
      "mdstat",
      "md1 : active raid5 sdf1[4] sde1[2](F) sdd1[1] sdc1[0](S)\n"
      "      5860147200 blocks super 1.2 level 5, 512k chunk, algorithm 2 [4/3] [UUU_]\n"
      "      [=>...................]  recovery =  8.5% (166113280/1953382400) finish=205.7min "
      "speed=144802K/sec\n"
      "\n");
  auto c = Collect(*tree.Make("mdadm"));
  REQUIRE(c.result.ok());
  CHECK(Sample(c.families, "node_md_state", {{"device", "md1"}, {"state", "recovering"}}) == 1);
  CHECK(Sample(c.families, "node_md_state", {{"device", "md1"}, {"state", "active"}}) == 0);
  CHECK(SeriesOf(c.families, "node_md_state") == 5);
  CHECK(Sample(c.families, "node_md_disks", {{"device", "md1"}, {"state", "failed"}}) == 1);
  CHECK(Sample(c.families, "node_md_disks", {{"device", "md1"}, {"state", "spare"}}) == 1);
  CHECK(Sample(c.families, "node_md_disks", {{"device", "md1"}, {"state", "active"}}) == 3);
  CHECK(Sample(c.families, "node_md_disks_required", {{"device", "md1"}}) == 4);
  CHECK(Sample(c.families, "node_md_blocks_synced", {{"device", "md1"}}) == 166113280);
  tree.Write("mdstat", "md1 : active raid5 sdf1[4]\n      lots of blocks\n\n\n");
  CHECK(Collect(*tree.Make("mdadm")).result.error().code == Errc::kParse);
}

TEST_CASE("bcache, btrfs, xfs: nothing where there is none, and values where there are",
          "[collectors]") {
  ProcTree tree;
  for (std::string_view name : {"bcache", "btrfs", "xfs"}) {
    CAPTURE(name);
    auto c = Collect(*tree.Make(name));
    CHECK(c.result.ok());
    CHECK(c.families.empty());
  }
  SECTION("bcache: a value file that is absent leaves its series out; priority stats on a flag") {
    const std::string set = "sysfs/fs/bcache/deaddd54-c735-46d5/";
    tree.Write(set + "average_key_size", "7.2k\n");
    tree.Write(set + "internal/btree_read_average_duration_us", "1305\n");
    tree.Write(set + "bdev0/dirty_data", "92.3M\n");
    tree.Write(set + "bdev0/writeback_rate_debug", "rate:\t\t1.2M/sec\nchange:\t\t-1.0k/sec\n");
    tree.Write(set + "cache0/written", "25.9G\n");
    tree.Write(set + "cache0/priority_stats", "Unused:\t\t3%\nMetadata:\t1%\n");
    auto c = Collect(*tree.Make("bcache"));
    REQUIRE(c.result.ok());
    const Labels uuid{{"uuid", "deaddd54-c735-46d5"}};
    CHECK(Sample(c.families, "node_bcache_average_key_size_sectors", uuid) ==
          static_cast<double>(static_cast<std::uint64_t>((7 + 2 / 10.24) * 1024)));
    // node_exporter 1.5.0 scales this microseconds file by 1e-9.
    CHECK(Sample(c.families, "node_bcache_btree_read_average_duration_seconds", uuid) ==
          1305 * 1e-9);
    CHECK_FALSE(FindFamily(c.families, "node_bcache_tree_depth"));
    const Labels bdev{{"uuid", "deaddd54-c735-46d5"}, {"backing_device", "bdev0"}};
    CHECK(Sample(c.families, "node_bcache_writeback_change", bdev) == -1024);
    CHECK_FALSE(FindFamily(c.families, "node_bcache_dirty_target_bytes"));
    CHECK_FALSE(FindFamily(c.families, "node_bcache_priority_stats_unused_percent"));
    tree.SetFlag("collector.bcache.priorityStats", "true");
    auto with_priority = Collect(*tree.Make("bcache"));
    CHECK(Sample(with_priority.families, "node_bcache_priority_stats_metadata_percent",
                 {{"uuid", "deaddd54-c735-46d5"}, {"cache_device", "cache0"}}) == 1);
    tree.Remove(set + "bdev0/writeback_rate_debug");  // procfs opens it whole: an error
    CHECK(Collect(*tree.Make("bcache")).result.error().code == Errc::kNotFound);
  }
  SECTION("btrfs: sysfs only, without a mount to ask") {
    const std::string fs = "sysfs/fs/btrfs/0f7a0b12-3c4d/";
    tree.Write(fs + "label", "root\n");
    tree.Write(fs + "devices/sda2/size", "2048\n");
    tree.Write(fs + "allocation/global_rsv_size", "5767168\n");
    for (std::string type : {"data", "metadata", "system"}) {
      tree.Write(fs + "allocation/" + type + "/bytes_reserved", "0\n");
      tree.Write(fs + "allocation/" + type + "/dup/total_bytes", "8388608\n");
      tree.Write(fs + "allocation/" + type + "/dup/used_bytes", "16384\n");
    }
    auto c = Collect(*tree.Make("btrfs"));
    REQUIRE(c.result.ok());
    CHECK(Sample(c.families, "node_btrfs_info", {{"uuid", "0f7a0b12-3c4d"}, {"label", "root"}}) ==
          1);
    CHECK(Sample(c.families, "node_btrfs_device_size_bytes",
                 {{"uuid", "0f7a0b12-3c4d"}, {"device", "sda2"}}) == 2048 * 512);
    CHECK(Sample(c.families, "node_btrfs_allocation_ratio",
                 {{"uuid", "0f7a0b12-3c4d"}, {"block_group_type", "system"}, {"mode", "dup"}}) ==
          2);
    CHECK(SeriesOf(c.families, "node_btrfs_used_bytes") == 3);
    CHECK_FALSE(FindFamily(c.families, "node_btrfs_device_errors_total"));
  }
  SECTION("xfs: per device; a line the file lacks leaves its families out") {
    tree.Write("sysfs/fs/xfs/sda1/stats/stats", "extent_alloc 1 2 3 4\nrw 53 54\n");
    tree.Write("sysfs/fs/xfs/stats/stats", "rw 1 1\n");
    auto c = Collect(*tree.Make("xfs"));
    REQUIRE(c.result.ok());
    CHECK(Sample(c.families, "node_xfs_read_calls_total", {{"device", "sda1"}}) == 54);
    CHECK(Sample(c.families, "node_xfs_write_calls_total", {{"device", "sda1"}}) == 53);
    CHECK(Sample(c.families, "node_xfs_extent_allocation_blocks_freed_total",
                 {{"device", "sda1"}}) == 4);
    CHECK(c.families.size() == 6);
    tree.Write("sysfs/fs/xfs/sda1/stats/stats", "rw 53\n");
    CHECK(Collect(*tree.Make("xfs")).result.error().code == Errc::kParse);
  }
}
