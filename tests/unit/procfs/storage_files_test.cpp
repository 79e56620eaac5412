// The /proc files of node_exporter's filesystem, diskstats and mdadm
// collectors (mounts, diskstats, mdstat), and the Go text rules they are
// split by, on inline text.

#include <catch2/catch.hpp>
#include <string>

#include "collectors/procfs/diskstats.h"
#include "collectors/procfs/go_text.h"
#include "collectors/procfs/mdstat.h"
#include "collectors/procfs/mounts.h"

using namespace vitals::procfs;

namespace {

std::vector<std::string_view> GoSplit(std::string_view text) {
  std::vector<std::string_view> out;
  detail::GoFields fields(text);
  std::string_view field;
  while (fields.Next(field)) {
    out.push_back(field);
  }
  return out;
}

}  // namespace

TEST_CASE("Go's strings.Fields, TrimSpace and bufio.Scanner lines", "[procfs]") {
  using V = std::vector<std::string_view>;
  CHECK(GoSplit("  a b\tc\n") == V{"a", "b", "c"});
  CHECK(GoSplit("").empty());
  SECTION(
      "ASCII \\v, \\f and \\r are white space too, as are U+0085, U+00A0, U+2000-U+200A, U+3000") {
    CHECK(GoSplit("a\vb\fc\rd") == V{"a", "b", "c", "d"});
    CHECK(GoSplit("a\xC2\xA0"
                  "b\xC2\x85"
                  "c\xE2\x80\x8A"
                  "d\xE3\x80\x80"
                  "e") == V{"a", "b", "c", "d", "e"});
    CHECK(GoSplit("a\xE2\x80\x8B"
                  "b") == V{"a\xE2\x80\x8B"
                            "b"});  // U+200B is not
  }
  SECTION("invalid UTF-8 is not white space, and does not hide a space after it") {
    CHECK(GoSplit("\xC2 a\xF0\xC2\xA0"
                  "b") == V{"\xC2", "a\xF0", "b"});
  }
  CHECK(detail::GoTrimSpace(" \t\xC2\xA0x y\xE2\x80\xA9\n") == "x y");
  CHECK(detail::GoTrimSpace("\xC2\xA0").empty());
  CHECK(detail::GoTrimSpace("x\xA0") == "x\xA0");  // a lone continuation byte stays

  SECTION("lines: a final \\r dropped, no empty line after the last newline, 64 KiB at most") {
    auto lines_of = [](std::string_view text) {
      std::vector<std::string_view> out;
      detail::GoLines lines(text);
      std::string_view line;
      while (lines.Next(line)) {
        out.push_back(line);
      }
      return std::pair{out, lines.too_long()};
    };
    CHECK(lines_of("a\r\nb\n\nc").first == V{"a", "b", "", "c"});
    CHECK(lines_of("a\n").first == V{"a"});
    CHECK_FALSE(lines_of(std::string(65535, 'x') + "\n").second);
    const std::string long_line = "a\n" + std::string(65536, 'x') + "\nb\n";  // the lines view it
    auto [before, too_long] = lines_of(long_line);
    CHECK(before == V{"a"});
    CHECK(too_long);
  }
  CHECK(detail::GoParseInt("+12", 10) == 12);
  CHECK(detail::GoParseInt("-12", 10) == -12);
  CHECK_FALSE(detail::GoParseInt("+-1", 10));
  CHECK_FALSE(detail::GoParseInt("9223372036854775808", 10));
}

TEST_CASE("ParseMounts: /proc/<pid>/mounts as node_exporter 1.5.0 splits it", "[procfs]") {
  SECTION("fields, and only \\040 and \\011 decoded in the mount point") {
    auto m = ParseMounts("1/mounts",
                         "/dev/vda1 / ext4 rw,relatime 0 0\n"
                         "a\\040b /mnt/with\\040space\\011tab tmpfs ro,nosuid 0 0\n"
                         "x /mnt/new\\012line\\134back\\134040 tmpfs rw 0 0\n");
    REQUIRE(m.ok());
    REQUIRE(m->size() == 3);
    CHECK((*m)[0].device == "/dev/vda1");
    CHECK((*m)[0].mount_point == "/");
    CHECK((*m)[0].fs_type == "ext4");
    CHECK((*m)[0].options == "rw,relatime");
    CHECK((*m)[1].device == "a\\040b");  // the device keeps its escapes
    CHECK((*m)[1].mount_point == "/mnt/with space\ttab");
    // A newline and a backslash stay escaped: node_exporter's labels keep them so.
    CHECK((*m)[2].mount_point == "/mnt/new\\012line\\134back\\134040");
  }
  SECTION("dump and pass may be missing; a trailing \\r is dropped; no final newline") {
    auto m = ParseMounts("1/mounts", "none /a tmpfs rw\r\nnone /b tmpfs rw 0 0");
    REQUIRE(m.ok());
    CHECK((*m)[0].options == "rw");
    CHECK((*m)[1].mount_point == "/b");
  }
  SECTION("Go's white space splits a name the kernel does not escape (\\r, \\v, U+00A0)") {
    auto m = ParseMounts("1/mounts",
                         "none /a\xC2\xA0"
                         "b tmpfs rw 0 0\n");
    REQUIRE(m.ok());
    CHECK((*m)[0].mount_point == "/a");
    CHECK((*m)[0].fs_type == "b");
  }
  SECTION("a line of fewer than four fields, an empty line, or one past 64 KiB is an error") {
    for (std::string bad : {std::string("none /a tmpfs\n"), std::string("\n"),
                            "none /" + std::string(70000, 'a') + " tmpfs rw 0 0\n"}) {
      auto m = ParseMounts("1/mounts", "proc /proc proc rw 0 0\n" + bad);
      REQUIRE_FALSE(m.ok());
      CHECK(m.error().code == Errc::kParse);
      CHECK(m.error().path == "1/mounts");
      CHECK_THAT(m.error().detail, Catch::Contains("line 2"));
    }
  }
  CHECK(ParseMounts("1/mounts", "")->empty());
}

TEST_CASE("Mount points: the file statfs is asked about, under --path.rootfs", "[procfs]") {
  CHECK(DecodeMountPath("/mnt/new\\012line\\134x") == "/mnt/new\nline\\x");
  CHECK(DecodeMountPath("/a\\040b\\9\\400\\1") == "/a b\\9\\400\\1");  // not byte escapes: kept
  CHECK(RootfsPath("/", "/") == "/");
  CHECK(RootfsPath("/", "/mnt/a\\012b") == "/mnt/a\nb");
  CHECK(RootfsPath("/host", "/var") == "/host/var");
  CHECK(RootfsPath("/host/", "/") == "/host/");
  // node_exporter takes the root's path off the front as text.
  CHECK(MountPointUnderRootfs("/", "/var") == "/var");
  CHECK(MountPointUnderRootfs("/host", "/host/var") == "/var");
  CHECK(MountPointUnderRootfs("/host", "/host") == "/");
  CHECK(MountPointUnderRootfs("/host", "/hostile") == "ile");
  CHECK(MountPointUnderRootfs("/host", "/var") == "/var");
}

TEST_CASE("ParseDiskstats: fields by count, as procfs' Sscanf reads them", "[procfs]") {
  SECTION("Linux 5.5 (20 fields), 4.18 (18) and older (14); past 2^32") {
    auto d = ParseDiskstats(
        "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
        " 253       0 dm-0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"
        "   9       0 md0 18446744073709551615 0 4294967296 0 0 0 0 0 0 0 0\n");
    REQUIRE(d.ok());
    REQUIRE(d->size() == 3);
    CHECK((*d)[0].major == 8);
    CHECK((*d)[0].name == "sda");
    CHECK((*d)[0].fields == 20);
    CHECK((*d)[0].counters[16] == 17);
    CHECK((*d)[1].fields == 18);
    CHECK((*d)[1].major == 253);
    CHECK((*d)[2].fields == 14);
    CHECK((*d)[2].counters[0] == 18446744073709551615ull);
    CHECK((*d)[2].counters[2] == 4294967296ull);
  }
  SECTION("fields past 20 are ignored; a line of fewer than 14 is skipped, blank ones too") {
    auto d = ParseDiskstats(
        "8 2 sda2 1977 15820 104 832\n\n"
        "8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n");
    REQUIRE(d.ok());
    REQUIRE(d->size() == 1);
    CHECK((*d)[0].fields == 20);
  }
  SECTION("a field that is not a number of its size fails the file") {
    for (std::string_view bad :
         {"8 0 sda 1 2 x 4 5 6 7 8 9 10 11\n", "8 0 sda -1 2 3 4 5 6 7 8 9 10 11\n",
          "4294967296 0 sda 1 2 3 4 5 6 7 8 9 10 11\n",
          "8 0 sda 18446744073709551616 2 3 4 5 6 7 8 9 10 11\n",
          "8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12abc\n", "8 0 sda 1 2\n8 x sdb\n"}) {
      CAPTURE(bad);
      auto d = ParseDiskstats(bad);
      REQUIRE_FALSE(d.ok());
      CHECK(d.error().code == Errc::kParse);
      CHECK(d.error().path == "diskstats");
    }
  }
  SECTION("a device named twice would make two equal series: an error") {
    auto d = ParseDiskstats("8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n");
    REQUIRE_FALSE(d.ok());
    CHECK_THAT(d.error().detail, Catch::Contains("\"sda\" appears twice"));
  }
}

TEST_CASE("ParseMdstat: states, disks and sync progress as procfs 0.8.0 reads them", "[procfs]") {
  auto parse = [](std::string_view text) {
    auto r = ParseMdstat(text);
    REQUIRE(r.ok());
    return *r;
  };
  SECTION("a clean raid1 with a bitmap, a recovering raid5") {
    auto md = parse(
        "Personalities : [raid1] [raid6] [raid5] [raid4] \n"
        "md127 : active raid1 sdb1[1] sda1[0]\n"
        "      1953382464 blocks super 1.2 [2/2] [UU]\n"
        "      bitmap: 0/15 pages [0KB], 65536KB chunk\n"
        "\n"
        "md1 : active raid5 sdf1[4] sde1[2] sdd1[1] sdc1[0]\n"
        "      5860147200 blocks super 1.2 level 5, 512k chunk, algorithm 2 [4/3] [UUU_]\n"
        "      [=>...................]  recovery =  8.5% (166113280/1953382400) finish=205.7min "
        "speed=144802K/sec\n"
        "      bitmap: 2/15 pages [8KB], 65536KB chunk\n"
        "\n"
        "unused devices: <none>\n");
    REQUIRE(md.size() == 2);
    CHECK(md[0].name == "md127");
    CHECK(md[0].activity == "active");
    CHECK(md[0].disks_total == 2);
    CHECK(md[0].disks_active == 2);
    CHECK(md[0].blocks_total == 1953382464);
    CHECK(md[0].blocks_synced == 1953382464);
    CHECK(md[1].activity == "recovering");
    CHECK(md[1].disks_total == 4);
    CHECK(md[1].disks_active == 3);
    CHECK(md[1].disks_down == 1);
    CHECK(md[1].blocks_synced == 166113280);
  }
  SECTION("check, resync, and resync=PENDING / DELAYED (nothing synced yet)") {
    auto md = parse(
        "md3 : active raid10 sdp1[3] sdo1[2] sdn1[1] sdm1[0]\n"
        "      3906764800 blocks super 1.2 512K chunks 2 near-copies [4/4] [UUUU]\n"
        "      [===========>.........]  check = 57.3% (2238576768/3906764800) finish=112.4min "
        "speed=247364K/sec\n"
        "      \n"
        "md11 : active raid1 sdaj[1] sdai[0]\n"
        "      4194304 blocks super external:/md127/0 [2/2] [UU]\n"
        "      [==================>..]  resync = 93.7% (3930112/4194304) finish=0.1min "
        "speed=131003K/sec\n"
        "      \n"
        "md2 : active (auto-read-only) raid6 sdl1[3] sdk1[2] sdj1[1] sdi1[0]\n"
        "      3906764800 blocks super 1.2 level 6, 512k chunk, algorithm 2 [4/4] [UUUU]\n"
        "      \tresync=PENDING\n"
        "      \n"
        "md8 : active raid1 sdz1[1] sdy1[0]\n"
        "      1048512 blocks super 1.2 [2/2] [UU]\n"
        "      \tresync=DELAYED\n"
        "      \n");
    REQUIRE(md.size() == 4);
    CHECK(md[0].activity == "checking");
    CHECK(md[0].blocks_synced == 2238576768);
    CHECK(md[1].activity == "resyncing");
    CHECK(md[1].blocks_synced == 3930112);
    CHECK(md[2].activity == "resyncing");
    CHECK(md[2].blocks_synced == 0);
    CHECK(md[3].blocks_synced == 0);
  }
  SECTION("failed and spare disks, inactive arrays, raid0 and linear (no [n/m])") {
    auto md = parse(
        "md4 : active raid1 sdr1[1](F) sdq1[0]\n"
        "      976630464 blocks super 1.2 [2/1] [U_]\n"
        "      \n"
        "md5 : inactive sdt1[1](S) sds1[0](S)\n"
        "      3906764976 blocks super 1.2\n"
        "       \n"
        "md6 : active raid0 sdv1[1] sdu1[0]\n"
        "      1953260544 blocks super 1.2 512k chunks\n"
        "      \n"
        "md7 : active linear sdx1[1] sdw1[0]\n"
        "      976629760 blocks super 1.2 0k rounding\n"
        "      \n"
        "md9 : active raid5 sdae1[5] sdad1[4](S) sdac1[3] sdab1[2] sdaa1[0]\n"
        "      5860147200 blocks super 1.2 level 5, 512k chunk, algorithm 2 [5/5] [UUUUU]\n"
        "      [==>..................]  reshape = 12.5% (244172800/1953382400) finish=310.2min "
        "speed=91822K/sec\n"
        "      \n");
    REQUIRE(md.size() == 5);
    CHECK(md[0].disks_failed == 1);
    CHECK(md[0].disks_active == 1);
    CHECK(md[0].disks_down == 1);
    CHECK(md[1].activity == "inactive");
    CHECK(md[1].disks_spare == 2);
    CHECK(md[1].disks_total == 0);
    CHECK(md[1].blocks_total == 3906764976);
    CHECK(md[2].disks_total == 2);  // the "[" of the device line
    CHECK(md[2].disks_active == 2);
    CHECK(md[3].disks_total == 2);
    // A reshape is no state procfs knows: active, and everything "synced".
    CHECK(md[4].activity == "active");
    CHECK(md[4].disks_spare == 1);
    CHECK(md[4].blocks_synced == 5860147200);
  }
  SECTION("no arrays") {
    CHECK(parse("Personalities : \nunused devices: <none>\n").empty());
    CHECK(parse("").empty());
  }
  SECTION("what procfs cannot read is an error naming the line") {
    for (std::string_view bad :
         {// too few fields on the device line
          "md0 : \n      1 blocks [1/1] [U]\n\n\n",
          // fewer than three lines after it
          "md0 : active raid1 sda[0]\n      1 blocks [1/1] [U]\n",
          // a status line without [n/m] [U_]
          "md0 : active raid1 sda[0]\n      100 blocks super 1.2\n\n\n",
          // a size that is not a number
          "md0 : active raid1 sda[0]\n      many blocks [1/1] [U]\n\n\n",
          // a resync line without its numbers
          "md0 : active raid1 sda[0]\n      100 blocks [1/1] [U]\n      recovery = 1%\n\n",
          // procfs' pattern needs "= " and reads nothing at 100.0%
          "md0 : active raid1 sda[0]\n      100 blocks [1/1] [U]\n"
          "      [====================]  recovery =100.0% (100/100) finish=0.0min speed=1K/sec\n\n",
          // a device named twice
          "md0 : active raid0 sda[0]\n      1 blocks\n\n"
          "md0 : active raid0 sdb[0]\n      1 blocks\n\n\n"}) {
      CAPTURE(bad);
      auto r = ParseMdstat(bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK(r.error().path == "mdstat");
    }
  }
}
