#include <catch2/catch.hpp>

#include <prometheus/check_names.h>

#include <fstream>
#include <sstream>

#include "tests/unit/host/proc_tree.h"

using namespace vitals::collectors;
using namespace vitals::testing;  // ProcTree, Collect, FindFamily, Sample
using vitals::procfs::Errc;

TEST_CASE("MeminfoCollector: names as node_exporter makes them", "[collectors]") {
  ProcTree tree;
  auto meminfo = tree.Make("meminfo");
  tree.Write("meminfo", "MemTotal: 1 kB\nActive(anon): 2 kB\nInactive(file): 3 kB\n"
                        "HugePages_Total: 4\nDirectMap4k: 5 kB\n");
  auto c = Collect(*meminfo);
  REQUIRE(c.result.ok());
  CHECK(Sample(c.families, "node_memory_MemTotal_bytes") == 1024);
  CHECK(Sample(c.families, "node_memory_Active_anon_bytes") == 2048);
  CHECK(Sample(c.families, "node_memory_Inactive_file_bytes") == 3072);
  CHECK(Sample(c.families, "node_memory_HugePages_Total") == 4);
  CHECK(Sample(c.families, "node_memory_DirectMap4k_bytes") == 5120);
  CHECK(FindFamily(c.families, "node_memory_Active_anon_bytes")->help ==
        "Memory information field Active_anon_bytes.");
}

TEST_CASE("MeminfoCollector", "[collectors]") {
  ProcTree tree;
  auto meminfo_owner = tree.Make("meminfo");
  Collector& meminfo = *meminfo_owner;
  CHECK(meminfo.name() == "meminfo");

  SECTION("kB fields become _bytes gauges, unit-less ones keep their count") {
    tree.Write("meminfo",
               "MemTotal:       24684084 kB\n"
               "Active(anon):       1604 kB\n"
               "VmallocTotal:   34359738367 kB\n"
               "HugePages_Total:       3\n"
               "Hugepagesize:       2048 kB\n");
    auto c = Collect(meminfo);
    REQUIRE(c.result.ok());
    REQUIRE(c.families.size() == 5);
    for (const auto& family : c.families) {
      CHECK(family.type == prometheus::MetricType::Gauge);
      REQUIRE(family.metric.size() == 1);
      CHECK(family.metric[0].label.empty());
    }
    CHECK(Sample(c.families, "node_memory_MemTotal_bytes") == 24684084.0 * 1024);
    CHECK(Sample(c.families, "node_memory_Active_anon_bytes") == 1604.0 * 1024);
    CHECK(Sample(c.families, "node_memory_VmallocTotal_bytes") == 34359738367.0 * 1024);
    CHECK(Sample(c.families, "node_memory_HugePages_Total") == 3.0);
    CHECK(Sample(c.families, "node_memory_Hugepagesize_bytes") == 2048.0 * 1024);
    CHECK(FindFamily(c.families, "node_memory_Active_anon_bytes")->help ==
          "Memory information field Active_anon_bytes.");
    // A second scrape sees new values (the descriptions are cached, the values are not).
    tree.Write("meminfo", "MemTotal:       1 kB\nHugePages_Total:       4\n");
    auto again = Collect(meminfo);
    REQUIRE(again.result.ok());
    CHECK(again.families.size() == 2);
    CHECK(Sample(again.families, "node_memory_MemTotal_bytes") == 1024.0);
    CHECK(Sample(again.families, "node_memory_HugePages_Total") == 4.0);
  }
  SECTION("this machine's /proc/meminfo: one valid family per line") {
    std::ifstream in("/proc/meminfo");
    std::stringstream text;
    text << in.rdbuf();
    tree.Write("meminfo", text.str());
    std::size_t lines = 0;
    for (char ch : text.str()) {
      lines += ch == '\n' ? 1 : 0;
    }
    auto c = Collect(meminfo);
    REQUIRE(c.result.ok());
    CHECK(c.families.size() == lines);
    for (const auto& family : c.families) {
      CAPTURE(family.name);
      CHECK(prometheus::CheckMetricName(family.name));
      CHECK(family.name.rfind("node_memory_", 0) == 0);
    }
    CHECK(Sample(c.families, "node_memory_MemAvailable_bytes").has_value());
  }
  SECTION("a field that makes no valid metric name fails the collector") {
    tree.Write("meminfo", "MemTotal:  1 kB\nBad-Name:  1 kB\n");
    auto c = Collect(meminfo);
    REQUIRE_FALSE(c.result.ok());
    CHECK(c.result.error().code == Errc::kParse);
    CHECK_THAT(c.result.error().detail, Catch::Contains("Bad-Name"));
    // What it added before the bad field never leaves the scrape: a failed
    // collector's samples are dropped (e2e.hostile_proc shows it end to end).
  }
  SECTION("missing, garbled or empty meminfo is an error and no samples") {
    auto missing = Collect(meminfo);
    REQUIRE_FALSE(missing.result.ok());
    CHECK(missing.result.error().code == Errc::kNotFound);
    tree.Write("meminfo", "MemTotal:  1 kB\nMemFree:  x kB\n");
    auto garbled = Collect(meminfo);
    REQUIRE_FALSE(garbled.result.ok());
    CHECK(garbled.result.error().code == Errc::kParse);
    CHECK(garbled.families.empty());
    tree.Write("meminfo", "");
    auto empty = Collect(meminfo);
    REQUIRE_FALSE(empty.result.ok());
    CHECK(empty.families.empty());
  }
}
