#include <catch2/catch.hpp>

#include <string>

#include "collectors/procfs/pid_io.h"

using namespace vitals::procfs;

namespace {

constexpr std::string_view kIo =
    "rchar: 6976\n"
    "wchar: 5000000000\n"
    "syscr: 10\n"
    "syscw: 3\n"
    "read_bytes: 4096\n"
    "write_bytes: 8192\n"
    "cancelled_write_bytes: 12\n";

std::string Without(std::string_view key) {
  // Match at a line start: "write_bytes:" is also the tail of "cancelled_write_bytes:".
  std::string text = "\n" + std::string(kIo);
  std::size_t pos = text.find("\n" + std::string(key) + ":");
  REQUIRE(pos != std::string::npos);
  text.erase(pos + 1, text.find('\n', pos + 1) - pos);
  return text.substr(1);
}

}  // namespace

TEST_CASE("ParsePidIo", "[procfs]") {
  SECTION("all fields") {
    auto r = ParsePidIo(kIo);
    REQUIRE(r.ok());
    CHECK(r->rchar == 6976);
    CHECK(r->wchar == 5000000000u);
    CHECK(r->syscr == 10);
    CHECK(r->syscw == 3);
    CHECK(r->read_bytes == 4096);
    CHECK(r->write_bytes == 8192);
    CHECK(r->cancelled_write_bytes == 12);
  }
  SECTION("no trailing newline") {
    std::string text(kIo);
    text.pop_back();
    auto r = ParsePidIo(text);
    REQUIRE(r.ok());
    CHECK(r->cancelled_write_bytes == 12);
  }
  SECTION("each missing field is a parse error naming it") {
    for (std::string_view key : {"rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes",
                                 "cancelled_write_bytes"}) {
      CAPTURE(key);
      auto r = ParsePidIo(Without(key));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK(r.error().path == "<pid>/io");
      CHECK_THAT(r.error().detail, Catch::Contains("missing field \"" + std::string(key) + "\""));
    }
  }
  SECTION("a garbled value names the field and the text") {
    std::string text(kIo);
    text.replace(text.find("6976"), 4, "69x6");
    auto r = ParsePidIo(text);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("\"rchar\"") && Catch::Contains("69x6"));
  }
  SECTION("empty file") {
    auto r = ParsePidIo("");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
  }
}
