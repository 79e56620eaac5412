// What needs every built-in collector, which only the agent links whole
// (each registers itself): their names, a whole scrape in our text format,
// and the health sampler on a built-in collector.
#include <catch2/catch.hpp>

#include <prometheus/check_names.h>
#include <prometheus/text_serializer.h>

#include <filesystem>
#include <set>
#include <string>
#include <variant>

#include "agent/health/sampler.h"
#include "agent/scrape/scrape_collectable.h"
#include "agent/scrape/text_format.h"
#include "collectors/collector_registry.h"
#include "collectors/self/self_collector.h"
#include "tests/unit/host/proc_tree.h"

using namespace vitals;
using namespace vitals::collectors;
using namespace vitals::testing;  // Collect
using vitals::procfs::ProcFs;
using vitals::procfs::SystemInfo;

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

TEST_CASE("AppendTextFormat: a whole scrape of every collector on the fixture trees", "[agent]") {
  const std::filesystem::path fixtures =
      std::filesystem::path(VITALS_SOURCE_DIR) / "tests/fixtures";
  auto proc = procfs::ProcFs::Open(fixtures / "proc", procfs::SystemInfo{4096, 100});
  auto sys = procfs::RootDir::Open(fixtures / "sys");
  auto root = procfs::RootDir::Open(fixtures / "rootfs");
  REQUIRE(proc.ok());
  REQUIRE(sys.ok());
  REQUIRE(root.ok());
  const auto& registry = collectors::CollectorRegistry::Builtin();
  const collectors::FlagValues flags = registry.DefaultFlags();
  collectors::CollectorContext ctx{*proc, *sys, *root, flags};
  std::vector<std::shared_ptr<collectors::Collector>> all;
  for (const auto& info : registry.all()) {
    all.push_back(info.factory(ctx));
  }
  scrape::ScrapeCollectable scrape(std::move(all), scrape::BuildInfo{"1.0", "abc", "g++"});
  const auto families = scrape.Collect();
  REQUIRE(families.size() > 100);
  std::string ours;
  scrape::AppendTextFormat(ours, families);
  CHECK(ours == prometheus::TextSerializer().Serialize(families));
}

TEST_CASE("Sampler: clock values from the built-in timex collector", "[health]") {
  const std::filesystem::path fixtures =
      std::filesystem::path(VITALS_SOURCE_DIR) / "tests/fixtures";
  auto proc = procfs::ProcFs::Open(fixtures / "proc", procfs::SystemInfo{4096, 100});
  REQUIRE(proc);
  auto dir = procfs::RootDir::Open(fixtures / "sys");
  REQUIRE(dir);
  const auto& registry = collectors::CollectorRegistry::Builtin();
  REQUIRE(registry.Find("timex") != nullptr);
  const collectors::FlagValues flags = registry.DefaultFlags();
  health::Sampler sampler(*proc, std::make_shared<health::ManualClock>());
  sampler.SetHostCollectors(collectors::CollectorContext{*proc, *dir, *dir, flags}, registry);
  sampler.SetNeeds({"host.clock_synced", "host.clock_offset_seconds"});
  sampler.Sample();
  // adjtimex(2) read-only works unprivileged; its values are this host's.
  auto value = [&](std::string name) {
    auto got = sampler.Get(health::ValueKey{std::move(name)});
    if (auto* why = std::get_if<std::string>(&got)) {
      FAIL(*why);
    }
    return std::get<health::Sample>(got).value;
  };
  const double synced = value("host.clock_synced");
  CHECK((synced == 0 || synced == 1));
  CHECK(value("host.clock_offset_seconds") >= 0);  // the absolute offset
}
