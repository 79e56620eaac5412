#include <catch2/catch.hpp>

#include <string>

#include "collectors/procfs/meminfo.h"

using namespace vitals::procfs;

namespace {

// Captured verbatim from this machine: `cat /proc/meminfo` (kernel 6.18, 24 GiB).
constexpr std::string_view kRealMeminfo = R"(
MemTotal:       24684084 kB
MemFree:        23390536 kB
MemAvailable:   23720964 kB
Buffers:            2004 kB
Cached:           510760 kB
SwapCached:            0 kB
Active:           216952 kB
Inactive:         921996 kB
Active(anon):       1576 kB
Inactive(anon):   633492 kB
Active(file):     215376 kB
Inactive(file):   288504 kB
Unevictable:       17304 kB
Mlocked:           16308 kB
SwapTotal:             0 kB
SwapFree:              0 kB
Zswap:                 0 kB
Zswapped:              0 kB
Dirty:             74012 kB
Writeback:            12 kB
AnonPages:        643544 kB
Mapped:            60152 kB
Shmem:              8872 kB
KReclaimable:      67344 kB
Slab:              90996 kB
SReclaimable:      67344 kB
SUnreclaim:        23652 kB
KernelStack:        1656 kB
PageTables:         3580 kB
SecPageTables:         0 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:    12342040 kB
Committed_AS:     786148 kB
VmallocTotal:   34359738367 kB
VmallocUsed:       14444 kB
VmallocChunk:          0 kB
Percpu:              664 kB
AnonHugePages:         0 kB
ShmemHugePages:        0 kB
ShmemPmdMapped:        0 kB
FileHugePages:         0 kB
FilePmdMapped:         0 kB
Balloon:               0 kB
HugePages_Total:       0
HugePages_Free:        0
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       2048 kB
Hugetlb:               0 kB
DirectMap4k:       26624 kB
DirectMap2M:     2070528 kB
DirectMap1G:    25165824 kB
)";

const MeminfoField* Find(const std::vector<MeminfoField>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("ParseMeminfo: a real capture", "[procfs]") {
  std::string_view text = kRealMeminfo.substr(1);  // the raw string starts with a newline
  auto r = ParseMeminfo(text);
  REQUIRE(r.ok());
  // One field per line, in file order.
  std::size_t lines = 0;
  for (char c : text) {
    lines += c == '\n' ? 1 : 0;
  }
  CHECK(r->size() == lines);
  CHECK(r->front().name == "MemTotal");
  CHECK(r->front().in_bytes);
  CHECK(r->back().name.substr(0, 9) == "DirectMap");

  const MeminfoField* total = Find(*r, "MemTotal");
  REQUIRE(total != nullptr);
  CHECK(total->value == 24684084ull * 1024);
  const MeminfoField* active_anon = Find(*r, "Active(anon)");
  REQUIRE(active_anon != nullptr);
  CHECK(active_anon->in_bytes);
  const MeminfoField* huge = Find(*r, "HugePages_Total");
  REQUIRE(huge != nullptr);
  CHECK_FALSE(huge->in_bytes);
  const MeminfoField* vmalloc = Find(*r, "VmallocTotal");
  REQUIRE(vmalloc != nullptr);
  CHECK(vmalloc->value == 34359738367ull * 1024);  // past 2^32 kB
}

TEST_CASE("ParseMeminfo: edges", "[procfs]") {
  SECTION("unit-less fields keep the kernel's count") {
    auto r = ParseMeminfo("HugePages_Total:      17\nHugePages_Free:        3\n");
    REQUIRE(r.ok());
    REQUIRE(r->size() == 2);
    CHECK((*r)[0].name == "HugePages_Total");
    CHECK((*r)[0].value == 17);
    CHECK_FALSE((*r)[0].in_bytes);
    CHECK((*r)[1].value == 3);
  }
  SECTION("names with parentheses are kept as written") {
    auto r = ParseMeminfo("Active(anon):       1604 kB\nInactive(file):    56740 kB\n");
    REQUIRE(r.ok());
    CHECK((*r)[0].name == "Active(anon)");
    CHECK((*r)[0].value == 1604u * 1024u);
    CHECK((*r)[1].name == "Inactive(file)");
  }
  SECTION("a value past 2^32 kB") {
    auto r = ParseMeminfo("VmallocTotal:   34359738367 kB\n");
    REQUIRE(r.ok());
    CHECK((*r)[0].value == 34359738367ull * 1024);
  }
  SECTION("a kB value that overflows bytes is an error, not a wrap-around") {
    auto r = ParseMeminfo("Huge:   18014398509481984 kB\n");  // 2^54 kB = 2^64 bytes
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("Huge"));
  }
  SECTION("no trailing newline") {
    auto r = ParseMeminfo("MemTotal:  100 kB\nMemFree:  50 kB");
    REQUIRE(r.ok());
    CHECK(r->size() == 2);
    CHECK((*r)[1].value == 50u * 1024u);
  }
  SECTION("a line with no colon names the line") {
    auto r = ParseMeminfo("MemTotal:  100 kB\nMemFree  50 kB\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK(r.error().path == "meminfo");
    CHECK_THAT(r.error().detail, Catch::Contains("line 2") && Catch::Contains("MemFree  50 kB"));
  }
  SECTION("a line starting with a colon") {
    REQUIRE_FALSE(ParseMeminfo(": 5 kB\n").ok());
  }
  SECTION("a bad unit names the field") {
    auto r = ParseMeminfo("MemTotal:  100 MB\n");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("MemTotal") && Catch::Contains("100 MB"));
  }
  SECTION("a garbled number names the field") {
    auto r = ParseMeminfo("MemTotal:  100 kB\nCached:  1x4 kB\n");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("Cached") && Catch::Contains("1x4"));
    REQUIRE_FALSE(ParseMeminfo("Cached:  -4 kB\n").ok());
    REQUIRE_FALSE(ParseMeminfo("Cached:\n").ok());
    REQUIRE_FALSE(ParseMeminfo("Cached:  4 kB extra\n").ok());
  }
  SECTION("an empty file is an error, not an empty set of metrics") {
    for (std::string_view text : {"", "\n", "  \n\n"}) {
      auto r = ParseMeminfo(text);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK_THAT(r.error().detail, Catch::Contains("empty"));
    }
  }
}
