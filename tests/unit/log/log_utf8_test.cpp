// The JSON log is valid UTF-8 whatever bytes a value holds (found by
// e2e.hostile_proc: a garbled /proc file's bytes reached the log raw).

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <string>

#include "agent/log/log.h"

namespace vlog = vitals::log;

namespace {

// Runs `write` with fd 2 sent to a temporary file and returns what it wrote.
template <class F>
std::string CaptureStderr(F write) {
  std::fflush(stderr);
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  int saved = ::dup(2);
  REQUIRE(::dup2(::fileno(file), 2) == 2);
  write();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::string out;
  std::rewind(file);
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, file)) {
    out.append(buf, n);
  }
  std::fclose(file);
  vlog::Configure(vlog::Level::kInfo, vlog::Format::kLogfmt);
  return out;
}

std::string JsonLine(const std::string& value) {
  return CaptureStderr([&] {
    vlog::Configure(vlog::Level::kInfo, vlog::Format::kJson);
    vlog::Error("collector failed", {{"err", value}});
  });
}

}  // namespace

TEST_CASE("log: JSON values are valid UTF-8 whatever the bytes", "[log]") {
  SECTION("well-formed UTF-8 passes through") {
    CHECK_THAT(JsonLine("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
               Catch::Contains("\"err\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""));
  }
  SECTION("each byte that starts no well-formed sequence becomes U+FFFD") {
    CHECK_THAT(JsonLine("a\xff\xfe" "b"), Catch::Contains("\"err\":\"a\\ufffd\\ufffdb\""));
    CHECK_THAT(JsonLine("x\xc3"), Catch::Contains("\"err\":\"x\\ufffd\""));          // truncated
    CHECK_THAT(JsonLine("\xc0\xaf"), Catch::Contains("\"err\":\"\\ufffd\\ufffd\""));  // overlong '/'
    CHECK_THAT(JsonLine("\xed\xa0\x80"),                                             // a surrogate
               Catch::Contains("\"err\":\"\\ufffd\\ufffd\\ufffd\""));
    CHECK_THAT(JsonLine("\xf4\x90\x80\x80"),                                         // > U+10FFFF
               Catch::Contains("\"err\":\"\\ufffd\\ufffd\\ufffd\\ufffd\""));
  }
}
