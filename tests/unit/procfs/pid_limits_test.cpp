#include <catch2/catch.hpp>

#include <string>

#include "collectors/procfs/pid_limits.h"

using namespace vitals::procfs;

namespace {

// Captured from this machine: `cat /proc/self/limits` (kernel 6.18; note the
// padding spaces the kernel writes, and the blank Units of the priority lines).
constexpr std::string_view kLimits = R"(
Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max data size             unlimited            unlimited            bytes     
Max stack size            8388608              unlimited            bytes     
Max core file size        0                    unlimited            bytes     
Max resident set          unlimited            unlimited            bytes     
Max processes             96365                96365                processes 
Max open files            20000                20000                files     
Max locked memory         8388608              8388608              bytes     
Max address space         unlimited            unlimited            bytes     
Max file locks            unlimited            unlimited            locks     
Max pending signals       96365                96365                signals   
Max msgqueue size         819200               819200               bytes     
Max nice priority         0                    0                    
Max realtime priority     0                    0                    
Max realtime timeout      unlimited            unlimited            us        
)";

std::string Real() { return std::string(kLimits.substr(1)); }

std::string Sub(std::string text, std::string_view from, std::string_view to) {
  std::size_t pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("ParsePidLimits", "[procfs]") {
  SECTION("a real capture") {
    auto r = ParsePidLimits(Real());
    REQUIRE(r.ok());
    CHECK(r->open_files.soft == 20000);
    CHECK(r->open_files.hard == 20000);
    CHECK(r->processes.soft == 96365);
    CHECK(r->address_space.soft == Limit::kUnlimited);
    CHECK(r->address_space.hard == Limit::kUnlimited);
  }
  SECTION("\"unlimited\" is RLIM_INFINITY; soft and hard differ") {
    auto r = ParsePidLimits(Sub(Real(), "Max open files            20000                20000",
                                "Max open files            1024                 unlimited"));
    REQUIRE(r.ok());
    CHECK(r->open_files.soft == 1024);
    CHECK(r->open_files.hard == Limit::kUnlimited);
  }
  SECTION("values past 2^32") {
    auto r = ParsePidLimits(Sub(Real(), "Max address space         unlimited            unlimited",
                                "Max address space         8589934592           17179869184"));
    REQUIRE(r.ok());
    CHECK(r->address_space.soft == 8589934592u);
    CHECK(r->address_space.hard == 17179869184u);
  }
  SECTION("lines with no Units column, last in the file, without padding or newline") {
    auto r = ParsePidLimits(
        "Limit                     Soft Limit           Hard Limit           Units     \n"
        "Max open files            4096                 8192                 files     \n"
        "Max nice priority         0                    0");
    REQUIRE(r.ok());
    CHECK(r->open_files.soft == 4096);
    CHECK(r->open_files.hard == 8192);
  }
  SECTION("a file truncated before \"Max open files\" is a parse error") {
    std::string text = Real();
    auto r = ParsePidLimits(text.substr(0, text.find("Max open files")));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK(r.error().path == "<pid>/limits");
    CHECK_THAT(r.error().detail, Catch::Contains("Max open files"));
  }
  SECTION("a line cut in the middle") {
    std::string text = Real();
    auto r = ParsePidLimits(text.substr(0, text.find("Max open files") + 30));  // "... 20000"
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK_THAT(r.error().detail, Catch::Contains("Max open files"));
    r = ParsePidLimits(text.substr(0, text.find("Max open files") + 8));  // "Max open"
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
  }
  SECTION("a garbled value names the limit") {
    auto r = ParsePidLimits(Sub(Real(), "Max open files            20000",
                                "Max open files            2O000"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("Max open files"));
  }
  SECTION("no header line") {
    std::string text = Real();
    auto r = ParsePidLimits(text.substr(text.find('\n') + 1));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("header"));
    REQUIRE_FALSE(ParsePidLimits("").ok());
  }
}
