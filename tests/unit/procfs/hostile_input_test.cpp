// Regression tests for what the hostile /proc suite (e2e.hostile_proc) and
// the fuzzers (tests/fuzz) found, each with its input inline.

#include <catch2/catch.hpp>

#include <string>

#include "collectors/procfs/file_nr.h"
#include "collectors/procfs/loadavg.h"
#include "collectors/procfs/meminfo.h"
#include "collectors/procfs/proc_fs.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::procfs;
using vitals::testing::OpenProcFs;

namespace {

bool PrintableAscii(const std::string& s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("ParseError: the quote of a hostile file is short and printable", "[procfs]") {
  SECTION("a 1 MiB number in meminfo gives a bounded detail, not the whole line") {
    // Found by e2e.hostile_proc: every failed scrape logged a 1 MiB line.
    std::string text = "MemTotal: 100 kB\nMemFree: " + std::string(1 << 20, '9') + " kB\n";
    auto r = ParseMeminfo(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK(r.error().detail.size() <= kMaxErrorDetail + 32);
    CHECK_THAT(r.error().detail, Catch::Contains("MemFree") && Catch::Contains("more bytes)"));
  }
  SECTION("binary garbage is quoted as \\xNN, so the JSON log stays UTF-8") {
    // Found by e2e.hostile_proc: a garbled sys/fs/file-nr put raw bytes into the log.
    const std::string text("12\xff\xfe\x00\x01 0 9\xc3", 11);
    auto r = ParseFileNr(text);
    REQUIRE_FALSE(r.ok());
    CHECK(PrintableAscii(r.error().detail));
    CHECK_THAT(r.error().detail, Catch::Contains("\\xff\\xfe\\x00\\x01"));
  }
  SECTION("SanitizeDetail keeps printable text as is and counts what it drops") {
    CHECK(SanitizeDetail("field \"MemFree\": \"12x\"") == "field \"MemFree\": \"12x\"");
    CHECK(SanitizeDetail("a\tb\n") == "a\\x09b\\x0a");
    CHECK(SanitizeDetail(std::string(300, 'x')) ==
          std::string(kMaxErrorDetail, 'x') + "... (44 more bytes)");
  }
}

TEST_CASE("ProcFs::ReadInto: a file over the cap does not keep its memory", "[procfs]") {
  // Found by e2e.hostile_proc: a 20 MiB loadavg left the collector's reused
  // buffer (and the sampler's) at 32 MiB each, RSS +65 MiB for good.
  vitals::testing::TempTree tree;
  tree.Write("huge", std::string(ProcFs::kMaxFileSize + 1, '0'));
  const ProcFs fs = OpenProcFs(tree.path());
  std::string buffer;
  auto r = fs.ReadInto("huge", buffer);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::kIo);
  CHECK(buffer.capacity() < 4096);
}

TEST_CASE("ProcFs: a big file under the cap does not pin its buffer", "[procfs]") {
  // e2e.hostile_proc: a 1.5 MiB meminfo left the collector's and the
  // sampler's reused buffers at 2 MiB each for the life of the process.
  vitals::testing::TempTree tree;
  const std::string big(ProcFs::kKeptBufferSize * 4, 'x');
  tree.Write("big", big);
  tree.Write("small", "1 2 3\n");
  tree.Write("loadavg", "2.22 1.27 0.51 3/104 11692\n" + big);
  tree.Write("meminfo", "MemTotal: 1 kB\n" + big);
  const ProcFs fs = OpenProcFs(tree.path());
  std::string buffer;
  SECTION("a small file keeps the reused buffer") {
    REQUIRE(fs.ReadInto("small", buffer).ok());
    const char* data = buffer.data();
    REQUIRE(fs.ReadInto("small", buffer).ok());
    CHECK(buffer.data() == data);
  }
  SECTION("the view of a big read stays whole; the next read gives the buffer back") {
    auto r = fs.ReadInto("big", buffer);
    REQUIRE(r.ok());
    CHECK(*r == big);
    auto small = fs.ReadInto("small", buffer);
    REQUIRE(small.ok());
    CHECK(*small == "1 2 3\n");
    CHECK(buffer.capacity() <= ProcFs::kKeptBufferSize);
  }
  SECTION("ReleaseLargeBuffer frees only a buffer past kKeptBufferSize") {
    buffer.assign(ProcFs::kKeptBufferSize, 'x');
    ProcFs::ReleaseLargeBuffer(buffer);
    CHECK(buffer.size() == ProcFs::kKeptBufferSize);
    buffer.assign(ProcFs::kKeptBufferSize + 1, 'x');
    ProcFs::ReleaseLargeBuffer(buffer);
    CHECK(buffer.capacity() < 4096);
  }
  SECTION("typed readers give it back at once when the result does not view it") {
    auto load = ReadLoadavg(fs, buffer);  // the first line is enough
    REQUIRE(load.ok());
    CHECK(load->load1 == 2.22);
    CHECK(buffer.capacity() < 4096);
    REQUIRE_FALSE(ReadMeminfo(fs, buffer).ok());
    CHECK(buffer.capacity() < 4096);
  }
}
