#include <catch2/catch.hpp>

#include <prometheus/text_serializer.h>

#include <locale>
#include <memory>
#include <regex>
#include <sstream>
#include <string>

#include "agent/scrape/scrape_collectable.h"
#include "collectors/collector_registry.h"
#include "collectors/procfs/loadavg.h"
#include "collectors/procfs/meminfo.h"
#include "collectors/procfs/stat.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals;

namespace {

// What de_DE.UTF-8 does to numbers: ',' as the decimal point and '.' between
// groups of three digits. The locale itself is not installed on this machine
// (and may not be generated at test time), so the facet is built here.
class GermanNumbers : public std::numpunct<char> {
 protected:
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

// Sets the global C++ locale for the scope, and puts the old one back.
class ScopedGlobalLocale {
 public:
  explicit ScopedGlobalLocale(const std::locale& locale) : old_(std::locale::global(locale)) {}
  ~ScopedGlobalLocale() { std::locale::global(old_); }

 private:
  std::locale old_;
};

}  // namespace

TEST_CASE("Parsers and the text serializer ignore a ',' decimal-point locale", "[agent]") {
  testing::TempTree tree;
  tree.Write("loadavg", "1234.56 0.35 0.13 7/125 6934\n");
  tree.Write("meminfo", "MemTotal:       24684084 kB\nHugePages_Total:    1500\n");
  tree.Write("stat",
             "cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 155078 0\nctxt 5312135000\nbtime 1795212781\n"
             "processes 6933\nprocs_running 8\nprocs_blocked 2\n");
  const procfs::ProcFs fs = testing::OpenProcFs(tree.path());

  ScopedGlobalLocale scoped(std::locale(std::locale("C.UTF-8"), new GermanNumbers));
  {
    // The facet is really in effect for anything that uses the global locale.
    std::ostringstream probe;
    probe << 1234567 << ' ' << 0.5;
    REQUIRE(probe.str() == "1.234.567 0,5");
  }

  SECTION("parsers") {
    auto load = procfs::ParseLoadavg("1234.56 0.35 0.13 7/125 6934\n");
    REQUIRE(load.ok());
    CHECK(load->load1 == 1234.56);
    CHECK(load->load5 == 0.35);
    // A ',' decimal is still garbage to the kernel's format.
    REQUIRE_FALSE(procfs::ParseLoadavg("0,35 0.35 0.13 7/125 6934\n").ok());
    auto mem = procfs::ParseMeminfo("MemTotal:       24684084 kB\n");
    REQUIRE(mem.ok());
    CHECK((*mem)[0].value == 24684084ull * 1024);
    REQUIRE_FALSE(procfs::ParseMeminfo("MemTotal:       24.684.084 kB\n").ok());
  }
  SECTION("collectors through ScrapeCollectable and prometheus::TextSerializer") {
    const auto& registry = collectors::CollectorRegistry::Builtin();
    const collectors::FlagValues flags = registry.DefaultFlags();
    collectors::CollectorContext ctx{fs, fs, fs, flags};
    std::vector<std::shared_ptr<collectors::Collector>> all;
    for (std::string_view name : {"loadavg", "meminfo", "stat"}) {
      all.push_back(registry.Find(name)->factory(ctx));
    }
    scrape::ScrapeCollectable scrape(std::move(all), scrape::BuildInfo{"1.0", "abc", "g++"});
    std::string text = prometheus::TextSerializer().Serialize(scrape.Collect());
    CAPTURE(text);
    CHECK_THAT(text, Catch::Contains("\nnode_load1 1234.56\n"));
    CHECK_THAT(text, Catch::Contains("\nnode_load5 0.35\n"));
    CHECK_THAT(text, Catch::Contains("\nnode_memory_MemTotal_bytes 25276502016\n"));
    CHECK_THAT(text, Catch::Contains("\nnode_memory_HugePages_Total 1500\n"));
    CHECK_THAT(text, Catch::Contains("\nnode_context_switches_total 5312135000\n"));
    CHECK_THAT(text, Catch::Contains("\nnode_boot_time_seconds 1795212781\n"));
    // Every sample value, including the agent's own duration gauges, is in the
    // C locale's format.
    std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? ([^ ]+)( [0-9]+)?$)");
    std::regex number(R"(^(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|[+-]Inf)$)");
    std::istringstream lines(text);
    std::string line;
    int samples = 0;
    while (std::getline(lines, line)) {
      if (line.empty() || line[0] == '#') {
        continue;
      }
      CAPTURE(line);
      std::smatch m;
      REQUIRE(std::regex_match(line, m, sample));
      CHECK(std::regex_match(m[2].str(), number));
      ++samples;
    }
    CHECK(samples >= 12);
  }
}
