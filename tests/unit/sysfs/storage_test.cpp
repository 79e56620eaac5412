// The sysfs and udev readers of the diskstats, bcache, btrfs and xfs
// collectors, on inline text and temporary trees.

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "collectors/sysfs/bcache.h"
#include "collectors/sysfs/btrfs.h"
#include "collectors/sysfs/udev.h"
#include "collectors/sysfs/xfs.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::sysfs;
using vitals::procfs::Errc;
using vitals::procfs::RootDir;
using vitals::testing::OpenRootDir;
using vitals::testing::TempTree;

TEST_CASE("ParseUdevProperties: E: lines, split at the first '=', the last one wins", "[sysfs]") {
  auto p = ParseUdevProperties(
      "S:disk/by-id/ata-X\nW:3\nE:ID_MODEL=first\nE:ID_MODEL=WDC_WD40\nE:ID_PATH=pci-0:1=odd\r\n"
      "E:ID_ATA\nE:ID_SERIAL_SHORT=\nE:OTHER=1\nG:systemd");
  CHECK(p.Get(UdevProperty::kIdModel) == "WDC_WD40");
  CHECK(p.Get(UdevProperty::kIdPath) == "pci-0:1=odd");
  CHECK_FALSE(p.Find(UdevProperty::kIdAta));                          // no '=': not a property
  CHECK(p.Find(UdevProperty::kIdSerialShort) == std::string_view());  // present, empty
  CHECK_FALSE(p.Find(UdevProperty::kDmName));
  CHECK(p.Get(UdevProperty::kDmName).empty());
  SECTION("reading stops at a line past Go's 64 KiB, keeping what came before") {
    const std::string text =
        "E:ID_MODEL=m\nE:ID_WWN=" + std::string(70000, 'w') + "\nE:ID_REVISION=r\n";
    auto q = ParseUdevProperties(text);  // views `text`
    CHECK(q.Get(UdevProperty::kIdModel) == "m");
    CHECK_FALSE(q.Find(UdevProperty::kIdWwn));
    CHECK_FALSE(q.Find(UdevProperty::kIdRevision));
  }
  SECTION("a record by major:minor") {
    TempTree tree;
    tree.Write("b8:16", "E:ID_WWN=0x5000\n");
    std::string buffer;
    auto r = ReadUdevProperties(OpenRootDir(tree.path()), 8, 16, buffer);
    REQUIRE(r.ok());
    CHECK(r->Get(UdevProperty::kIdWwn) == "0x5000");
    CHECK(ReadUdevProperties(OpenRootDir(tree.path()), 8, 0, buffer).error().code == Errc::kNotFound);
  }
}

TEST_CASE("bcache values: bch_hprint's units read as procfs reads them", "[sysfs]") {
  auto value = [](std::string_view text) {
    auto r = ParseBcacheValue("x", text);
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(value("0\n") == 0);
  CHECK(value("95\n") == 95);
  // Through a double, as procfs reads every value: 2^53 + 1 rounds to 2^53.
  CHECK(value("9007199254740993\n") == 9007199254740992ull);
  CHECK(value("4.0k\n") == 4096);
  // The tenth is divided by 10.24 (procfs' reading of the kernel's tenths of 1024).
  CHECK(value("1.2M\n") == static_cast<std::uint64_t>((1 + 2 / 10.24) * 1048576));
  CHECK(value("13.0M\n") == 13 * 1048576);
  CHECK(value("512.4M\n") == static_cast<std::uint64_t>((512 + 4 / 10.24) * 1048576));
  CHECK(value("12.3E\n") == static_cast<std::uint64_t>((12 + 3 / 10.24) * std::ldexp(1.0, 60)));
  CHECK(value("1.2.3k\n") == static_cast<std::uint64_t>((1 + 2 / 10.24) * 1024));
  CHECK(value("123") == 12);  // the last byte is taken for the newline, as procfs takes it
  SECTION("not a value bcache prints: an error, never 0") {
    // Past 2^64 too (procfs' float-to-integer conversion makes it 0).
    for (std::string_view bad : {"", "\n", "x\n", "1.5B\n", "-1\n", "1.k\n", ".5k\n", "99.9E\n",
                                 "1 \n", "18446744073709551615\n"}) {
      CAPTURE(bad);
      auto r = ParseBcacheValue("fs/bcache/u/btree_cache_size", bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK(r.error().path == "fs/bcache/u/btree_cache_size");
    }
  }
}

TEST_CASE("ParseBcacheWriteback and ParseBcachePriority", "[sysfs]") {
  auto w =
      ParseBcacheWriteback("wrd",
                           "rate:\t\t1.2M/sec\ndirty:\t\t92.3M\ninflight:\t0\ntarget:\t\t1.9G\n"
                           "proportional:\t-3.7M\nintegral:\t11.0k\nchange:\t\t-103.1k/sec\n"
                           "next io:\t-2149ms\n");
  REQUIRE(w.ok());
  CHECK(w->rate == static_cast<std::uint64_t>((1 + 2 / 10.24) * 1048576));
  CHECK(w->target == static_cast<std::uint64_t>((1 + 9 / 10.24) * 1073741824));
  CHECK(w->proportional == -static_cast<std::int64_t>((3 + 7 / 10.24) * 1048576));
  CHECK(w->integral == static_cast<std::int64_t>((11 + 0 / 10.24) * 1024));
  CHECK(w->change == -static_cast<std::int64_t>((103 + 1 / 10.24) * 1024));
  CHECK(w->next_io_ms == -2149);
  SECTION("a line the file lacks stays unknown") {
    auto partial = ParseBcacheWriteback("wrd", "rate:\t\t4.0k/sec\n");
    REQUIRE(partial.ok());
    CHECK(partial->rate == 4096);
    CHECK_FALSE(partial->target);
  }
  SECTION("a value that does not read is an error naming the line") {
    for (std::string_view bad :
         {"rate:\n", "target:\t\tlots\n", "next io:\tsoon\n", "change:\t\t--1k/sec\n"}) {
      CAPTURE(bad);
      auto r = ParseBcacheWriteback("wrd", bad);
      REQUIRE_FALSE(r.ok());
      CHECK_THAT(r.error().detail, Catch::Contains("line 1"));
    }
  }
  auto p =
      ParseBcachePriority("ps", "Unused:\t\t3%\nClean:\t\t91%\nMetadata:\t0%\nQuantiles:\t[1 2]\n");
  REQUIRE(p.ok());
  CHECK(p->unused_percent == 3);
  CHECK(p->metadata_percent == 0);
  CHECK_FALSE(ParseBcachePriority("ps", "Unused:\t\tthree%\n").ok());
}

TEST_CASE("ListBcacheSets: sets are fs/bcache/*-*, with bdev[0-9]* and cache[0-9]*", "[sysfs]") {
  TempTree tree;
  SECTION("no bcache: none") {
    auto sets = ListBcacheSets(OpenRootDir(tree.path()));
    REQUIRE(sets.ok());
    CHECK(sets->empty());
  }
  tree.Write("fs/bcache/register", "");
  tree.Write("fs/bcache/deaddd54-c735/bdev0/dirty_data", "0\n");
  tree.Write("fs/bcache/deaddd54-c735/bdev1/dirty_data", "0\n");
  tree.Write("fs/bcache/deaddd54-c735/bdevx/dirty_data", "0\n");
  tree.Write("fs/bcache/deaddd54-c735/cache0/written", "0\n");
  tree.Write("fs/bcache/deaddd54-c735/stats_total/bypassed", "0\n");
  auto sets = ListBcacheSets(OpenRootDir(tree.path()));
  REQUIRE(sets.ok());
  REQUIRE(sets->size() == 1);
  CHECK((*sets)[0].uuid == "deaddd54-c735");
  CHECK((*sets)[0].dir == "fs/bcache/deaddd54-c735");
  CHECK((*sets)[0].bdevs == std::vector<std::string>{"bdev0", "bdev1"});
  CHECK((*sets)[0].caches == std::vector<std::string>{"cache0"});
  std::string buffer;
  CHECK(ReadBcacheValue(OpenRootDir(tree.path()), "fs/bcache/deaddd54-c735/congested", buffer)->has_value() ==
        false);
  CHECK(ReadBcacheValue(OpenRootDir(tree.path()), "fs/bcache/deaddd54-c735/cache0/written", buffer)->value() ==
        0);
}

TEST_CASE("ReadBtrfs: sysfs as procfs 0.8.0 reads it", "[sysfs]") {
  TempTree tree;
  std::string buffer;
  SECTION("no btrfs, or only its features: none") {
    CHECK(ReadBtrfs(OpenRootDir(tree.path()), buffer)->empty());
    tree.Write("fs/btrfs/features/raid56", "0\n");
    CHECK(ReadBtrfs(OpenRootDir(tree.path()), buffer)->empty());
  }
  const std::string fs = "fs/btrfs/0f7a0b12-3c4d/";
  tree.Write(fs + "label", "archive " + std::string(119, 'x') + "   past 128 bytes\n");
  tree.Write(fs + "metadata_uuid", "0f7a0b12-3c4d\n");
  for (std::string dev : {"sdb", "sdc", "sdd"}) {
    tree.Write(fs + "devices/" + dev + "/size", "7814037168\n");
  }
  tree.Write(fs + "allocation/global_rsv_size", "536870912\n");
  for (std::string type : {"data", "metadata", "system"}) {
    tree.Write(fs + "allocation/" + type + "/bytes_reserved", "65536\n");
    tree.Write(fs + "allocation/" + type + "/size_classes", "none 1\n");  // a file: no profile
  }
  tree.Write(fs + "allocation/data/raid5/total_bytes", "4398046511104\n");
  tree.Write(fs + "allocation/data/raid5/used_bytes", "4123168604160\n");
  tree.Write(fs + "allocation/data/raid6/total_bytes", "1\n");  // no used_bytes
  tree.Write(fs + "allocation/metadata/raid1c3/total_bytes", "2\n");
  tree.Write(fs + "allocation/metadata/raid1c3/used_bytes", "1\n");
  tree.Mkdir(fs + "allocation/system");

  auto all = ReadBtrfs(OpenRootDir(tree.path()), buffer);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  const BtrfsFilesystem& f = (*all)[0];
  CHECK(f.uuid == "0f7a0b12-3c4d");
  // procfs reads 128 bytes and trims the white space there.
  CHECK(f.label == "archive " + std::string(119, 'x'));
  REQUIRE(f.devices.size() == 3);
  CHECK(f.devices[0].name == "sdb");
  CHECK(f.devices[0].size_bytes == 7814037168ull * 512);
  CHECK(f.global_rsv_size == 536870912);
  CHECK(f.data.reserved_bytes == 65536);
  REQUIRE(f.data.layouts.size() == 2);
  CHECK(f.data.layouts[0].mode == "raid5");
  CHECK(f.data.layouts[0].ratio == 1.5);  // 3 devices: 3 / 2
  CHECK(f.data.layouts[0].used_bytes == 4123168604160);
  CHECK(f.data.layouts[1].ratio == 3);  // raid6: 3 / 1
  CHECK_FALSE(f.data.layouts[1].used_bytes);
  CHECK(f.metadata.layouts[0].ratio == 0);  // a profile procfs has no ratio for
  CHECK(f.system.layouts.empty());

  SECTION("without metadata_uuid (before Linux 5.0) the folder names it") {
    tree.Remove(fs + "metadata_uuid");
    CHECK((*ReadBtrfs(OpenRootDir(tree.path()), buffer))[0].uuid == "0f7a0b12-3c4d");
    tree.Write(fs + "metadata_uuid", "\n");
    CHECK((*ReadBtrfs(OpenRootDir(tree.path()), buffer))[0].uuid == "0f7a0b12-3c4d");
  }
  SECTION("a value that is not a number is an error (procfs takes it for 0)") {
    tree.Write(fs + "allocation/data/raid5/used_bytes", "lots\n");
    auto r = ReadBtrfs(OpenRootDir(tree.path()), buffer);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().path == fs + "allocation/data/raid5/used_bytes");
  }
  SECTION("a filesystem without devices/ or an allocation folder is an error") {
    tree.Remove(fs + "allocation/metadata");
    CHECK(ReadBtrfs(OpenRootDir(tree.path()), buffer).error().code == Errc::kNotFound);
  }
}

TEST_CASE("ParseXfsStats: the counters of each line, checked as procfs checks them", "[sysfs]") {
  XfsStats stats;
  auto ok = ParseXfsStats("s",
                          "extent_alloc 1 2 3 4294967295\nrw 53 54\nvnodes 1 2 3 4 5 6 7\n"
                          "qm 0 0 0 0 0 0 0 0 0\nxpc 18446744073709551615 0 1\n"
                          "rtrefcntbt 1 2\nlonely\nrw 7 8\n",
                          stats);
  REQUIRE(ok.ok());
  CHECK(stats.Find("extent_alloc").size() == 4);
  CHECK(stats.Find("extent_alloc")[3] == 4294967295u);
  CHECK(stats.Find("rw")[0] == 7);  // the last line of a name
  CHECK(stats.Find("xpc")[0] == 18446744073709551615ull);
  CHECK(stats.Find("rtrefcntbt").size() == 2);  // a group procfs does not know: any count
  CHECK(stats.Find("abt").empty());
  CHECK(stats.Find("lonely").empty());
  SECTION("counts procfs knows are checked; every counter is a number of 32 bits (xpc: 64)") {
    for (std::string_view bad : {"extent_alloc 1 2 3\n", "vnodes 1 2 3 4 5 6 7 8 9\n",
                                 "qm 1 2 3 4 5 6 7\n", "abt 1 2 3 4294967296\n", "newgroup 1 x\n",
                                 "xpc 1 2 18446744073709551616\n", "debug -1\n"}) {
      CAPTURE(bad);
      auto r = ParseXfsStats("fs/xfs/sda1/stats/stats", bad, stats);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK_THAT(r.error().detail, Catch::Contains("line 1"));
    }
  }
}

TEST_CASE("ListXfsDevices: folders with stats/stats, not the totals", "[sysfs]") {
  TempTree tree;
  CHECK(ListXfsDevices(OpenRootDir(tree.path()))->empty());
  tree.Write("fs/xfs/stats/stats", "rw 1 2\n");
  tree.Write("fs/xfs/sda1/stats/stats", "rw 1 2\n");
  tree.Write("fs/xfs/dm-0/stats/stats_clear", "");
  tree.Write("fs/xfs/nvme0n1p1/stats/stats", "rw 1 2\n");
  auto devices = ListXfsDevices(OpenRootDir(tree.path()));
  REQUIRE(devices.ok());
  CHECK(*devices == std::vector<std::string>{"nvme0n1p1", "sda1"});
}
