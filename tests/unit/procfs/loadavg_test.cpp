#include <catch2/catch.hpp>

#include "collectors/procfs/loadavg.h"

using namespace vitals::procfs;

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
  SECTION("truncated after the loads is an error, not zeros") {
    auto r = ParseLoadavg("0.40 0.11 0.04");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK(r.error().path == "loadavg");
  }
  SECTION("garbage") {
    REQUIRE_FALSE(ParseLoadavg("abc 0.11 0.04 1/85 1234").ok());
    REQUIRE_FALSE(ParseLoadavg("").ok());
  }
}
