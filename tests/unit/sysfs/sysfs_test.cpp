// Parsers of files outside /proc (collectors/sysfs): sysfs and the rootfs,
// on inline text and temporary trees.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <string>

#include "collectors/sysfs/clocksource.h"
#include "collectors/sysfs/cpu.h"
#include "collectors/sysfs/os_release.h"
#include "collectors/sysfs/selinux.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::sysfs;
using vitals::procfs::Errc;
using vitals::procfs::RootDir;
using vitals::testing::OpenRootDir;
using vitals::testing::TempTree;

TEST_CASE("ParseCpuList", "[sysfs]") {
  auto list = [](std::string_view text) {
    auto r = ParseCpuList("devices/system/cpu/isolated", text);
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(list("\n").empty());
  CHECK(list("3\n") == std::vector<unsigned>{3});
  CHECK(list("0-2,7,9-10\n") == std::vector<unsigned>{0, 1, 2, 7, 9, 10});
  for (std::string_view bad : {"a", "3-1", "1-", "-1", "0-70000"}) {
    CHECK_FALSE(ParseCpuList("devices/system/cpu/isolated", bad).ok());
  }
}

TEST_CASE("ReadCpuThrottles", "[sysfs]") {
  TempTree tree;
  std::string buffer;
  SECTION("no cpu directory: none") {
    auto t = ReadCpuThrottles(OpenRootDir(tree.path()), buffer);
    REQUIRE(t.ok());
    CHECK(t->core.empty());
  }
  SECTION("each core and package read once, from its first CPU with the file") {
    // cpu0 and cpu2 are hyperthreads of core 0; cpu1 is core 1; all on package 0.
    for (auto [cpu, core] : {std::pair{0, 0}, std::pair{1, 1}, std::pair{2, 0}}) {
      std::string dir = "devices/system/cpu/cpu" + std::to_string(cpu) + "/";
      tree.Write(dir + "topology/physical_package_id", "0\n");
      tree.Write(dir + "topology/core_id", std::to_string(core) + "\n");
    }
    tree.Write("devices/system/cpu/cpu0/thermal_throttle/core_throttle_count", "17\n");
    tree.Write("devices/system/cpu/cpu2/thermal_throttle/core_throttle_count", "99\n");
    tree.Write("devices/system/cpu/cpu1/thermal_throttle/package_throttle_count", "4\n");
    tree.Mkdir("devices/system/cpu/cpufreq");  // not cpu<N>
    tree.Write("devices/system/cpu/cpu3/topology/core_id", "3\n");  // no package: left out
    auto t = ReadCpuThrottles(OpenRootDir(tree.path()), buffer);
    REQUIRE(t.ok());
    CHECK(t->core.size() == 1);
    CHECK(t->core.at({0, 0}) == 17);  // cpu0's, not cpu2's
    CHECK(t->package.at(0) == 4);     // cpu0 has none: cpu1's
  }
  SECTION("a counter that is not a number is an error, not a skip") {
    tree.Write("devices/system/cpu/cpu0/topology/physical_package_id", "0\n");
    tree.Write("devices/system/cpu/cpu0/topology/core_id", "0\n");
    tree.Write("devices/system/cpu/cpu0/thermal_throttle/core_throttle_count", "many\n");
    auto t = ReadCpuThrottles(OpenRootDir(tree.path()), buffer);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().path == "devices/system/cpu/cpu0/thermal_throttle/core_throttle_count");
  }
}

TEST_CASE("ReadClockSources", "[sysfs]") {
  TempTree tree;
  std::string buffer;
  SECTION("absent: none") {
    auto c = ReadClockSources(OpenRootDir(tree.path()), buffer);
    REQUIRE(c.ok());
    CHECK(c->empty());
  }
  SECTION("in name order, available split on blanks, current trimmed") {
    for (std::string n : {"0", "2", "10"}) {
      tree.Write("devices/system/clocksource/clocksource" + n + "/available_clocksource",
                 "tsc hpet acpi_pm \n");
      tree.Write("devices/system/clocksource/clocksource" + n + "/current_clocksource", "tsc\n");
    }
    tree.Mkdir("devices/system/clocksource/power");
    auto c = ReadClockSources(OpenRootDir(tree.path()), buffer);
    REQUIRE(c.ok());
    REQUIRE(c->size() == 3);
    CHECK((*c)[1].name == "10");  // as a glob sorts them: 0, 10, 2
    CHECK((*c)[0].available == std::vector<std::string>{"tsc", "hpet", "acpi_pm"});
    CHECK((*c)[0].current == "tsc");
  }
  SECTION("a clock source without its files is an error") {
    tree.Mkdir("devices/system/clocksource/clocksource0");
    auto c = ReadClockSources(OpenRootDir(tree.path()), buffer);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == Errc::kNotFound);
  }
}

TEST_CASE("ParseOsRelease", "[sysfs]") {
  auto parse = [](std::string_view text) {
    auto r = ParseOsRelease("etc/os-release", text);
    REQUIRE(r.ok());
    return *r;
  };
  SECTION("every quoting form of os-release(5)") {
    auto r = parse(
        "# comment\n\nNAME=\"Fedora Linux\"\nID=fedora\nID_LIKE=\"rhel centos\"  # trailing\n"
        "PRETTY_NAME='It''s \"x\"'\nVARIANT=\"a \\\"b\\\" \\\\ \\/ \\t\"\nVERSION_ID=39 # c\n"
        "export SUPPORT_END=2024-11-12\nIMAGE_VERSION=\"1.2-\\u00e9 \\ud83d\\ude00\"\nEMPTY=\n"
        "  SPACED = value with  spaces  \n");
    CHECK(r["NAME"] == "Fedora Linux");
    CHECK(r["ID"] == "fedora");
    CHECK(r["ID_LIKE"] == "rhel centos");
    CHECK(r["PRETTY_NAME"] == "Its \"x\"");
    CHECK(r["VARIANT"] == "a \"b\" \\ / \t");
    CHECK(r["VERSION_ID"] == "39");
    CHECK(r["SUPPORT_END"] == "2024-11-12");
    CHECK(r["IMAGE_VERSION"] == "1.2-\xc3\xa9 \xf0\x9f\x98\x80");
    CHECK(r["EMPTY"].empty());
    CHECK(r["SPACED"] == "value with  spaces");
  }
  SECTION("a later assignment wins") {
    CHECK(parse("ID=a\nID=b\n")["ID"] == "b");
  }
  SECTION("errors name the line") {
    for (auto [text, why] : {std::pair<std::string_view, std::string_view>{"ID=a\nnonsense\n", "line 2: missing ="},
                             {"=x\n", "empty key"},
                             {"1D=x\n", "key must be"},
                             {"I D=x\n", "key must be"},
                             {"ID=\"open\n", "unmatched \""},
                             {"ID='open\n", "unmatched '"},
                             {"ID=\"a\\q\"\n", "invalid escape"},
                             {"ID=\"\\u12\"\n", "\\u escape"},
                             {"ID=\"\\ud83d\"\n", "surrogate"},
                             {"ID=a\tb\n", "control character"}}) {
      auto r = ParseOsRelease("etc/os-release", text);
      REQUIRE_FALSE(r.ok());
      CHECK_THAT(r.error().detail, Catch::Contains(std::string(why)));
    }
  }
}

TEST_CASE("ReadOsRelease under a root", "[sysfs]") {
  TempTree tree;
  std::string buffer;
  CHECK(ReadOsRelease(OpenRootDir(tree.path()), buffer).error().code == Errc::kNotFound);
  tree.Write("usr/lib/os-release", "ID=fallback\n");
  CHECK(ReadOsRelease(OpenRootDir(tree.path()), buffer)->at("ID") == "fallback");
  tree.Write("etc/os-release", "ID=first\n");
  CHECK(ReadOsRelease(OpenRootDir(tree.path()), buffer)->at("ID") == "first");
  tree.Remove("etc/os-release");
  tree.Mkdir("etc/os-release");  // not absent: an error, no fallback (as node_exporter)
  CHECK(ReadOsRelease(OpenRootDir(tree.path()), buffer).error().code == Errc::kIo);
}

TEST_CASE("ReadSelinux", "[sysfs]") {
  TempTree sys, root;
  std::string buffer;
  SECTION("no selinuxfs: disabled") {
    auto s = ReadSelinux(OpenRootDir(sys.path()), OpenRootDir(root.path()), buffer);
    REQUIRE(s.ok());
    CHECK_FALSE(s->enabled);
  }
  SECTION("enforcing now, permissive at boot") {
    sys.Write("fs/selinux/enforce", "1");
    root.Write("etc/selinux/config", "# c\n; c\nSELINUXTYPE=targeted\nSELINUX=\"permissive\"\n");
    auto s = ReadSelinux(OpenRootDir(sys.path()), OpenRootDir(root.path()), buffer);
    REQUIRE(s.ok());
    CHECK(s->enabled);
    CHECK(s->current_mode == kSelinuxEnforcing);
    CHECK(s->config_mode == kSelinuxPermissive);
  }
  SECTION("no config: disabled at boot; an unreadable enforce: -1, as go-selinux") {
    sys.Write("fs/selinux/enforce", "?");
    auto s = ReadSelinux(OpenRootDir(sys.path()), OpenRootDir(root.path()), buffer);
    REQUIRE(s.ok());
    CHECK(s->current_mode == kSelinuxDisabled);
    CHECK(s->config_mode == kSelinuxDisabled);
  }
}
