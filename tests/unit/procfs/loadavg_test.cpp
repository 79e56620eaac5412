#include <catch2/catch.hpp>

#include "collectors/procfs/loadavg.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::procfs;
using vitals::testing::OpenProcFs;

TEST_CASE("ParseLoadavg", "[procfs]") {
  SECTION("a line as the kernel writes it") {
    auto r = ParseLoadavg("0.40 0.11 0.04 1/85 1234\n");
    REQUIRE(r.ok());
    CHECK(r->load1 == 0.40);
    CHECK(r->load5 == 0.11);
    CHECK(r->load15 == 0.04);
    CHECK(r->runnable == 1);
    CHECK(r->entities == 85);
    CHECK(r->last_pid == 1234);
  }
  SECTION("no trailing newline") {
    REQUIRE(ParseLoadavg("1.00 2.00 3.00 2/10 99").ok());
  }
  SECTION("a busy machine: large loads, entities and pids") {
    auto r = ParseLoadavg("1234.56 987.00 100.10 512/5000000000 4194304\n");
    REQUIRE(r.ok());
    CHECK(r->load1 == 1234.56);
    CHECK(r->entities == 5000000000u);  // past 2^32
    CHECK(r->last_pid == 4194304);
  }
  SECTION("truncated after the loads is an error, not zeros") {
    auto r = ParseLoadavg("0.40 0.11 0.04");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK(r.error().path == "loadavg");
    CHECK_THAT(r.error().detail, Catch::Contains("runnable/total"));
  }
  SECTION("truncated inside the loads") {
    auto r = ParseLoadavg("0.40 0.11");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("three load averages"));
  }
  SECTION("garbage") {
    for (std::string_view text : {"abc 0.11 0.04 1/85 1234", "", "\n", "0.40 0.11 0.04 185 1234",
                                  "0.40 0.11 0.04 1/ 1234", "0.40 0.11 0.04 /85 1234",
                                  "0.40 0.11 0.04 1/85", "0.40 0.11 0.04 1/85 x",
                                  "0,40 0.11 0.04 1/85 1234", "0.40 0.11 0.04 a/85 1234"}) {
      CAPTURE(text);
      auto r = ParseLoadavg(text);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
    }
  }
  SECTION("negative, infinite or NaN loads are not what the kernel writes") {
    for (std::string_view text : {"-1.00 0.11 0.04 1/85 1234", "nan 0.11 0.04 1/85 1234",
                                  "0.40 inf 0.04 1/85 1234", "0.40 0.11 -0.00 1/85 1234"}) {
      CAPTURE(text);
      auto r = ParseLoadavg(text);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
    }
  }
}

TEST_CASE("ReadLoadavg", "[procfs]") {
  SECTION("from a tree") {
    vitals::testing::TempTree tree;
    tree.Write("loadavg", "0.86 0.35 0.13 7/125 6934\n");
    const ProcFs fs = OpenProcFs(tree.path());
    std::string buffer;
    auto r = ReadLoadavg(fs, buffer);
    REQUIRE(r.ok());
    CHECK(r->load15 == 0.13);
    tree.Remove("loadavg");
    auto missing = ReadLoadavg(fs, buffer);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == Errc::kNotFound);
  }
  SECTION("from this machine's /proc") {
    auto fs = ProcFs::Open("/proc", SystemInfo::FromHost());
    REQUIRE(fs.ok());
    std::string buffer;
    auto r = ReadLoadavg(*fs, buffer);
    REQUIRE(r.ok());
    CHECK(r->load1 >= 0);
    CHECK(r->entities >= r->runnable);
    CHECK(r->last_pid > 0);
  }
}
