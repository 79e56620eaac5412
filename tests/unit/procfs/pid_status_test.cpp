#include <catch2/catch.hpp>

#include <string>

#include "collectors/procfs/pid_status.h"

using namespace vitals::procfs;

namespace {

// Captured from this machine: `cat /proc/self/status` (kernel 6.18).
constexpr std::string_view kCatStatus = R"(
Name:	cat
Umask:	0022
State:	R (running)
Tgid:	9686
Ngid:	0
Pid:	9686
PPid:	9683
TracerPid:	0
Uid:	0	0	0	0
Gid:	0	0	0	0
FDSize:	256
Groups:	 
NStgid:	9686
NSpid:	9686
NSpgid:	9683
NSsid:	4678
Kthread:	0
VmPeak:	    3060 kB
VmSize:	    3060 kB
VmLck:	       0 kB
VmPin:	       0 kB
VmHWM:	    1744 kB
VmRSS:	    1744 kB
RssAnon:	     112 kB
RssFile:	    1632 kB
RssShmem:	       0 kB
VmData:	     360 kB
VmStk:	     132 kB
VmExe:	      20 kB
VmLib:	    1528 kB
VmPTE:	      44 kB
VmSwap:	       0 kB
HugetlbPages:	       0 kB
CoreDumping:	0
THP_enabled:	1
untag_mask:	0xffffffffffffffff
Threads:	1
SigQ:	0/96365
SigPnd:	0000000000000000
ShdPnd:	0000000000000000
SigBlk:	0000000000000000
SigIgn:	0000000000000000
SigCgt:	0000000000000000
CapInh:	0000000000000000
CapPrm:	000001fffeffffff
CapEff:	000001fffeffffff
CapBnd:	000001fffeffffff
CapAmb:	0000000000000000
NoNewPrivs:	0
Seccomp:	0
Seccomp_filters:	0
Speculation_Store_Bypass:	vulnerable
SpeculationIndirectBranch:	always enabled
Cpus_allowed:	3
Cpus_allowed_list:	0-1
Mems_allowed:	00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000001
Mems_allowed_list:	0
voluntary_ctxt_switches:	0
nonvoluntary_ctxt_switches:	1
)";

// Captured from this machine: `cat /proc/2/status` (kthreadd: no Vm*/Rss* lines).
constexpr std::string_view kKthreadStatus = R"(
Name:	kthreadd
Umask:	0022
State:	S (sleeping)
Tgid:	2
Ngid:	0
Pid:	2
PPid:	0
TracerPid:	0
Uid:	0	0	0	0
Gid:	0	0	0	0
FDSize:	64
Groups:	 
NStgid:	2
NSpid:	2
NSpgid:	0
NSsid:	0
Kthread:	1
Threads:	1
SigQ:	0/96365
SigPnd:	0000000000000000
ShdPnd:	0000000000000000
SigBlk:	0000000000000000
SigIgn:	ffffffffffffffff
SigCgt:	0000000000000000
CapInh:	0000000000000000
CapPrm:	000001ffffffffff
CapEff:	000001ffffffffff
CapBnd:	000001ffffffffff
CapAmb:	0000000000000000
NoNewPrivs:	0
Seccomp:	0
Seccomp_filters:	0
Speculation_Store_Bypass:	vulnerable
SpeculationIndirectBranch:	always enabled
Cpus_allowed:	3
Cpus_allowed_list:	0-1
Mems_allowed:	00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000001
Mems_allowed_list:	0
voluntary_ctxt_switches:	60
nonvoluntary_ctxt_switches:	0
)";

std::string Sub(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  std::size_t pos = out.find(from);
  REQUIRE(pos != std::string::npos);
  out.replace(pos, from.size(), to);
  return out;
}

std::string Cat() { return std::string(kCatStatus.substr(1)); }

}  // namespace

TEST_CASE("ParsePidStatus: real captures", "[procfs]") {
  SECTION("a user process") {
    auto r = ParsePidStatus(Cat());
    REQUIRE(r.ok());
    CHECK(r->name == "cat");
    CHECK(r->state == 'R');
    CHECK(r->tgid > 0);
    CHECK(r->ppid > 0);
    CHECK(r->uids == std::array<std::uint32_t, 4>{0, 0, 0, 0});
    REQUIRE(r->vm_size_bytes.has_value());
    CHECK(*r->vm_size_bytes % 1024 == 0);
    CHECK(*r->vm_size_bytes > 0);
    REQUIRE(r->vm_rss_bytes.has_value());
    REQUIRE(r->vm_swap_bytes.has_value());
    CHECK(*r->vm_swap_bytes == 0);
    REQUIRE(r->rss_anon_bytes.has_value());
    REQUIRE(r->rss_file_bytes.has_value());
    REQUIRE(r->rss_shmem_bytes.has_value());
    CHECK(*r->rss_anon_bytes + *r->rss_file_bytes + *r->rss_shmem_bytes == *r->vm_rss_bytes);
    CHECK(r->threads == 1);
  }
  SECTION("a kernel thread has no Vm* lines: nullopt, not 0") {
    auto r = ParsePidStatus(kKthreadStatus.substr(1));
    REQUIRE(r.ok());
    CHECK(r->name == "kthreadd");
    CHECK(r->ppid == 0);
    CHECK_FALSE(r->vm_size_bytes.has_value());
    CHECK_FALSE(r->vm_rss_bytes.has_value());
    CHECK_FALSE(r->vm_swap_bytes.has_value());
    CHECK_FALSE(r->rss_anon_bytes.has_value());
    CHECK(r->threads == 1);
  }
}

TEST_CASE("ParsePidStatus: edges", "[procfs]") {
  SECTION("Name with spaces") {
    auto r = ParsePidStatus(Sub(Cat(), "Name:\tcat\n", "Name:\tWeb Content\n"));
    REQUIRE(r.ok());
    CHECK(r->name == "Web Content");
  }
  SECTION("Name with a trailing space keeps it") {
    auto r = ParsePidStatus(Sub(Cat(), "Name:\tcat\n", "Name:\tcat \n"));
    REQUIRE(r.ok());
    CHECK(r->name == "cat ");
  }
  SECTION("Name with an escaped newline and backslash is unescaped, as stat's comm") {
    // The kernel writes '\n' as the two characters "\n" and '\\' as "\\".
    auto r = ParsePidStatus(Sub(Cat(), "Name:\tcat\n", "Name:\ta\\nb\\\\c\n"));
    REQUIRE(r.ok());
    CHECK(r->name == "a\nb\\c");
  }
  SECTION("empty Name") {
    auto r = ParsePidStatus(Sub(Cat(), "Name:\tcat\n", "Name:\t\n"));
    REQUIRE(r.ok());
    CHECK(r->name.empty());
  }
  SECTION("Uid and Gid with four different ids") {
    auto r = ParsePidStatus(Sub(Sub(Cat(), "Uid:\t0\t0\t0\t0", "Uid:\t1000\t1001\t1002\t4294967294"),
                                "Gid:\t0\t0\t0\t0", "Gid:\t5\t6\t7\t8"));
    REQUIRE(r.ok());
    CHECK(r->uids == std::array<std::uint32_t, 4>{1000, 1001, 1002, 4294967294u});
    CHECK(r->gids == std::array<std::uint32_t, 4>{5, 6, 7, 8});
  }
  SECTION("Uid with three ids or a non-number is an error naming the field") {
    auto r = ParsePidStatus(Sub(Cat(), "Uid:\t0\t0\t0\t0", "Uid:\t0\t0\t0"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK_THAT(r.error().detail, Catch::Contains("\"Uid\""));
    r = ParsePidStatus(Sub(Cat(), "Uid:\t0\t0\t0\t0", "Uid:\t0\t0\tx\t0"));
    REQUIRE_FALSE(r.ok());
    r = ParsePidStatus(Sub(Cat(), "Uid:\t0\t0\t0\t0", "Uid:\t0\t0\t0\t4294967296"));
    REQUIRE_FALSE(r.ok());
  }
  SECTION("Vm values past 2^32 kB") {
    auto r = ParsePidStatus(Sub(Cat(), "VmSize:\t    3060 kB", "VmSize:\t8589934592 kB"));
    REQUIRE(r.ok());
    CHECK(*r->vm_size_bytes == 8589934592ull * 1024);
  }
  SECTION("a Vm line without its kB unit or with garbage is an error naming it") {
    auto r = ParsePidStatus(Sub(Cat(), "VmRSS:\t    1744 kB", "VmRSS:\t    1740"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("\"VmRSS\"") && Catch::Contains("kB"));
    r = ParsePidStatus(Sub(Cat(), "VmRSS:\t    1744 kB", "VmRSS:\t    17z0 kB"));
    REQUIRE_FALSE(r.ok());
  }
  SECTION("garbled Threads, PPid, Tgid") {
    auto r = ParsePidStatus(Sub(Cat(), "Threads:\t1", "Threads:\tmany"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("\"Threads\"") && Catch::Contains("many"));
    REQUIRE_FALSE(ParsePidStatus(Sub(Cat(), "PPid:\t", "PPid:\t-")).ok());
    REQUIRE_FALSE(ParsePidStatus(Sub(Cat(), "Tgid:\t", "Tgid:\t9999999999")).ok());
  }
  SECTION("no trailing newline") {
    std::string text = Cat();
    auto full = ParsePidStatus(text);
    REQUIRE(full.ok());
    text.pop_back();
    auto r = ParsePidStatus(text);
    REQUIRE(r.ok());
    CHECK(r->nonvoluntary_ctxt_switches == full->nonvoluntary_ctxt_switches);
    // The last line's digits are all read when no newline ends them.
    text = text.substr(0, text.rfind('\n') + 1) + "nonvoluntary_ctxt_switches:\t1234567";
    r = ParsePidStatus(text);
    REQUIRE(r.ok());
    CHECK(r->nonvoluntary_ctxt_switches == 1234567);
  }
  SECTION("a file cut before Uid or Threads is an error") {
    std::string text = Cat();
    auto r = ParsePidStatus(text.substr(0, text.find("Uid:")));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK_THAT(r.error().detail, Catch::Contains("truncated"));
    r = ParsePidStatus(text.substr(0, text.find("Threads:")));
    REQUIRE_FALSE(r.ok());
    REQUIRE_FALSE(ParsePidStatus("").ok());
  }
}
