#include <catch2/catch.hpp>

#include "collectors/procfs/file_nr.h"

using namespace vitals::procfs;

TEST_CASE("ParseFileNr", "[procfs]") {
  SECTION("as the kernel writes it: tab-separated, newline") {
    auto r = ParseFileNr("863\t0\t2466170\n");  // captured on this machine
    REQUIRE(r.ok());
    CHECK(r->allocated == 863);
    CHECK(r->unused == 0);
    CHECK(r->maximum == 2466170);
  }
  SECTION("no newline, max past 2^32 (fs.file-max = LONG_MAX on some distros)") {
    auto r = ParseFileNr("1024 0 9223372036854775807");
    REQUIRE(r.ok());
    CHECK(r->maximum == 9223372036854775807u);
  }
  SECTION("garbage") {
    for (std::string_view text : {"863\t0\n", "863 x 100\n", "-1 0 100\n", "863 0 100 7\n"}) {
      CAPTURE(text);
      auto r = ParseFileNr(text);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK(r.error().path == "sys/fs/file-nr");
    }
  }
  SECTION("empty") {
    auto r = ParseFileNr("");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
  }
}
