#include <catch2/catch.hpp>

#include "collectors/procfs/sysctl.h"

using namespace vitals::procfs;

TEST_CASE("ParseSysctlNumber", "[procfs]") {
  SECTION("good") {
    auto r = ParseSysctlNumber("sys/kernel/pid_max", "32768\n");  // captured on this machine
    REQUIRE(r.ok());
    CHECK(*r == 32768);
    r = ParseSysctlNumber("sys/kernel/threads-max", "192730");
    REQUIRE(r.ok());
    CHECK(*r == 192730);
    r = ParseSysctlNumber("x", "4194304 \n");
    REQUIRE(r.ok());
    CHECK(*r == 4194304);
  }
  SECTION("garbage names the path and the text") {
    for (std::string_view text : {"12ab\n", "-1\n", "1 2\n", "0x10\n"}) {
      CAPTURE(text);
      auto r = ParseSysctlNumber("sys/kernel/pid_max", text);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK(r.error().path == "sys/kernel/pid_max");
    }
    auto r = ParseSysctlNumber("sys/kernel/pid_max", "12ab\n");
    CHECK_THAT(r.error().detail, Catch::Contains("\"12ab\""));
  }
  SECTION("empty") {
    for (std::string_view text : {"", "\n", "  "}) {
      auto r = ParseSysctlNumber("sys/kernel/threads-max", text);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
    }
  }
}
