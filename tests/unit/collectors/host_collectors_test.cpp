#include <catch2/catch.hpp>

#include <prometheus/check_names.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <set>
#include <string>

#include "collectors/collector_registry.h"
#include "collectors/self/self_collector.h"
#include "tests/unit/collectors/proc_tree.h"

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

TEST_CASE("Every collector's declared names are valid and match what it emits", "[collectors]") {
  // Every registered collector, on the fixture trees (which have data for
  // each: tests/fixtures/README.md), with every optional family turned on.
  const std::filesystem::path fixtures = std::filesystem::path(VITALS_SOURCE_DIR) / "tests/fixtures";
  auto proc = ProcFs::Open(fixtures / "proc", SystemInfo{4096, 100});
  auto sys = vitals::procfs::RootDir::Open(fixtures / "sys");
  auto root = vitals::procfs::RootDir::Open(fixtures / "rootfs");
  REQUIRE(proc.ok());
  REQUIRE(sys.ok());
  REQUIRE(root.ok());
  const CollectorRegistry& registry = CollectorRegistry::Builtin();
  FlagValues flags = registry.DefaultFlags();
  flags.Set("collector.cpu.info", "true");
  flags.Set("collector.cpu.info.flags-include", ".");
  flags.Set("collector.cpu.info.bugs-include", ".");
  flags.Set("collector.stat.softirq", "true");
  const CollectorContext ctx{*proc, *sys, *root, flags};
  REQUIRE(registry.all().size() >= 19);

  auto real = ProcFs::Open("/proc", SystemInfo::FromHost());
  REQUIRE(real.ok());
  std::vector<std::unique_ptr<Collector>> all;
  for (const auto& info : registry.all()) {
    all.push_back(info.factory(ctx));
    CHECK(all.back()->name() == info.name);
  }
  all.push_back(std::make_unique<SelfCollector>(*real));

  for (const auto& collector : all) {
    CAPTURE(collector->name());
    std::set<std::string> declared;
    for (const MetricDesc& desc : collector->Describe()) {
      std::string name(desc.name);
      CAPTURE(name);
      CHECK(prometheus::CheckMetricName(name));
      CHECK_FALSE(desc.help.empty());
      if (desc.type == prometheus::MetricType::Counter) {
        CHECK(name.size() > 6);
        CHECK(name.substr(name.size() - 6) == "_total");
      }
      std::set<std::string_view> labels;
      for (std::string_view label : desc.labels) {
        CHECK(prometheus::CheckLabelName(std::string(label)));
        CHECK(labels.insert(label).second);  // no label twice
      }
      CHECK(declared.insert(name).second);  // no family twice
    }
    auto c = Collect(*collector);
    REQUIRE(c.result.ok());
    CHECK_FALSE(c.families.empty());
    for (const auto& family : c.families) {
      CAPTURE(family.name);
      CHECK(prometheus::CheckMetricName(family.name));
      const std::string_view prefix = collector->derived_prefix();
      if (declared.count(family.name) == 0 && !prefix.empty()) {
        // Named after a field of the file (meminfo, vmstat, ...).
        CHECK(family.name.rfind(prefix, 0) == 0);
        continue;
      }
      CHECK(declared.count(family.name) == 1);
      for (const MetricDesc& desc : collector->Describe()) {
        if (desc.name == family.name) {
          CHECK(desc.type == family.type);
          for (const auto& metric : family.metric) {
            REQUIRE(metric.label.size() == desc.labels.size());
            for (std::size_t i = 0; i < desc.labels.size(); ++i) {
              CHECK(metric.label[i].name == desc.labels[i]);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("SelfCollector reads this process", "[collectors]") {
  auto real = ProcFs::Open("/proc", SystemInfo::FromHost());
  REQUIRE(real.ok());
  SelfCollector self(*real);
  auto c = Collect(self);
  REQUIRE(c.result.ok());
  CHECK(c.families.size() == 7);
  auto rss = Sample(c.families, "process_resident_memory_bytes");
  REQUIRE(rss);
  CHECK(*rss > 0);
  CHECK(std::fmod(*rss, static_cast<double>(real->system().page_size)) == 0);
  auto start = Sample(c.families, "process_start_time_seconds");
  REQUIRE(start);
  // Started within the last hour, and not in the future.
  auto now = static_cast<double>(std::time(nullptr));
  CHECK(*start <= now + 1);
  CHECK(*start > now - 3600);
  CHECK(Sample(c.families, "process_open_fds") > 2);
  CHECK(Sample(c.families, "process_max_fds") > 0);
}
