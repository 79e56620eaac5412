#include <catch2/catch.hpp>

#include <prometheus/check_names.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <set>
#include <string>

#include "collectors/collector_registry.h"
#include "tests/unit/host/proc_tree.h"

using namespace vitals::collectors;
using namespace vitals::testing;  // ProcTree, Collect, FindFamily, Sample
using vitals::procfs::Errc;
using vitals::procfs::ProcFs;
using vitals::procfs::SystemInfo;

namespace {

constexpr std::string_view kStat =
    "cpu  7315 0 2911 65543 434 0 49 39 0 0\n"
    "cpu0 2898 0 1166 34041 23 0 12 15 5 6\n"
    "intr 155078 0 0 0\n"
    "ctxt 5312135000\n"
    "btime 1795212781\n"
    "processes 6933\n"
    "procs_running 8\n"
    "procs_blocked 2\n";

}  // namespace

TEST_CASE("StatCollector", "[collectors]") {
  ProcTree tree;
  auto stat_owner = tree.Make("stat");
  Collector& stat = *stat_owner;
  tree.Write("stat", kStat);
  auto c = Collect(stat);
  REQUIRE(c.result.ok());
  CHECK(c.families.size() == 6);
  CHECK(Sample(c.families, "node_boot_time_seconds") == 1795212781.0);
  CHECK(Sample(c.families, "node_context_switches_total") == 5312135000.0);
  CHECK(Sample(c.families, "node_forks_total") == 6933);
  CHECK(Sample(c.families, "node_intr_total") == 155078);
  CHECK(Sample(c.families, "node_procs_running") == 8);
  CHECK(Sample(c.families, "node_procs_blocked") == 2);
  CHECK(FindFamily(c.families, "node_context_switches_total")->type ==
        prometheus::MetricType::Counter);
  CHECK(FindFamily(c.families, "node_forks_total")->type == prometheus::MetricType::Counter);
  CHECK(FindFamily(c.families, "node_intr_total")->type == prometheus::MetricType::Counter);
  CHECK(FindFamily(c.families, "node_boot_time_seconds")->type == prometheus::MetricType::Gauge);
  CHECK(FindFamily(c.families, "node_procs_running")->type == prometheus::MetricType::Gauge);

  std::string truncated(kStat.substr(0, kStat.find("btime")));
  tree.Write("stat", truncated);
  auto bad = Collect(stat);
  REQUIRE_FALSE(bad.result.ok());
  CHECK(bad.result.error().code == Errc::kParse);
  CHECK_THAT(bad.result.error().detail, Catch::Contains("btime"));
  CHECK(bad.families.empty());
}

TEST_CASE("LoadavgCollector", "[collectors]") {
  ProcTree tree;
  auto loadavg_owner = tree.Make("loadavg");
  Collector& loadavg = *loadavg_owner;
  tree.Write("loadavg", "0.86 0.35 0.13 7/125 6934\n");
  auto c = Collect(loadavg);
  REQUIRE(c.result.ok());
  CHECK(c.families.size() == 3);
  CHECK(Sample(c.families, "node_load1") == 0.86);
  CHECK(Sample(c.families, "node_load5") == 0.35);
  CHECK(Sample(c.families, "node_load15") == 0.13);
  CHECK(FindFamily(c.families, "node_load1")->type == prometheus::MetricType::Gauge);
  tree.Write("loadavg", "0.86 0,35 0.13 7/125 6934\n");
  auto bad = Collect(loadavg);
  REQUIRE_FALSE(bad.result.ok());
  CHECK(bad.result.error().code == Errc::kParse);
  CHECK(bad.families.empty());
}

TEST_CASE("FilefdCollector", "[collectors]") {
  ProcTree tree;
  auto filefd_owner = tree.Make("filefd");
  Collector& filefd = *filefd_owner;
  auto missing = Collect(filefd);
  REQUIRE_FALSE(missing.result.ok());
  CHECK(missing.result.error().code == Errc::kNotFound);
  CHECK(missing.result.error().path == "sys/fs/file-nr");
  tree.Write("sys/fs/file-nr", "863\t0\t2466170\n");
  auto c = Collect(filefd);
  REQUIRE(c.result.ok());
  CHECK(c.families.size() == 2);
  CHECK(Sample(c.families, "node_filefd_allocated") == 863);
  CHECK(Sample(c.families, "node_filefd_maximum") == 2466170);
  CHECK(FindFamily(c.families, "node_filefd_maximum")->type == prometheus::MetricType::Gauge);
  tree.Write("sys/fs/file-nr", "863\t0\n");
  auto bad = Collect(filefd);
  REQUIRE_FALSE(bad.result.ok());
  CHECK(bad.result.error().code == Errc::kParse);
  CHECK(bad.families.empty());
}
