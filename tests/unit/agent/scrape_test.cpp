#include <catch2/catch.hpp>

#include <prometheus/text_serializer.h>

#include <memory>
#include <string>

#include "agent/scrape/scrape_collectable.h"

using namespace vitals;

namespace {

const collectors::MetricDesc kDesc{"test_value", "A value.", prometheus::MetricType::Gauge, {}};

// Adds one sample, then returns what it is told to.
class Scripted : public collectors::Collector {
 public:
  explicit Scripted(procfs::Result<void> result) : result_(std::move(result)) {}
  std::string_view name() const override { return "scripted"; }
  std::span<const collectors::MetricDesc> Describe() const override { return {&kDesc, 1}; }
  procfs::Result<void> Collect(collectors::MetricSink& out) override {
    out.Add(kDesc, 7);
    return result_;
  }

 private:
  procfs::Result<void> result_;
};

std::string Scrape(procfs::Result<void> result) {
  std::vector<std::shared_ptr<collectors::Collector>> all;
  all.push_back(std::make_shared<Scripted>(std::move(result)));
  scrape::ScrapeCollectable scrape(std::move(all), scrape::BuildInfo{"1", "r", "c"});
  return prometheus::TextSerializer().Serialize(scrape.Collect());
}

}  // namespace

TEST_CASE("ScrapeCollectable: success, no data and errors", "[agent]") {
  SECTION("success: the samples and success 1") {
    std::string text = Scrape({});
    CHECK_THAT(text, Catch::Contains("\ntest_value 7\n"));
    CHECK_THAT(text, Catch::Contains("vitals_scrape_collector_success{collector=\"scripted\"} 1\n"));
  }
  SECTION("no data: success 0, and what it emitted is kept, as node_exporter keeps it") {
    std::string text = Scrape(collectors::NoData("schedstat", "absent"));
    CHECK_THAT(text, Catch::Contains("\ntest_value 7\n"));
    CHECK_THAT(text, Catch::Contains("vitals_scrape_collector_success{collector=\"scripted\"} 0\n"));
  }
  SECTION("an error: success 0 and none of its samples") {
    std::string text = Scrape(procfs::ParseError("stat", "garbled"));
    CHECK_THAT(text, !Catch::Contains("test_value"));
    CHECK_THAT(text, Catch::Contains("vitals_scrape_collector_success{collector=\"scripted\"} 0\n"));
  }
}

namespace {

// A collector named `name` that succeeds or fails.
class Named : public collectors::Collector {
 public:
  Named(std::string name, bool fail) : name_(std::move(name)), fail_(fail) {}
  std::string_view name() const override { return name_; }
  std::span<const collectors::MetricDesc> Describe() const override { return {}; }
  procfs::Result<void> Collect(collectors::MetricSink&) override {
    if (fail_) {
      return procfs::ParseError("stat", "garbled");
    }
    return {};
  }

 private:
  std::string name_;
  bool fail_;
};

}  // namespace

TEST_CASE("ScrapeCollectable: the exporter identity families", "[agent]") {
  auto scrape = [](bool identity) {
    std::vector<std::shared_ptr<collectors::Collector>> all;
    all.push_back(std::make_shared<Named>("loadavg", false));  // node_exporter's (registry)
    all.push_back(std::make_shared<Named>("process", true));   // process groups, failing
    all.push_back(std::make_shared<Named>("self", false));
    return std::make_unique<scrape::ScrapeCollectable>(
        std::move(all), scrape::BuildInfo{"1.2.3", "abc", "c"}, nullptr, identity);
  };
  auto on = scrape(true);
  on->Collect();
  const std::string text = prometheus::TextSerializer().Serialize(on->Collect());
  CHECK_THAT(text, Catch::Contains(
                       "node_exporter_build_info{program=\"vitals\",version=\"1.2.3\",revision=\"abc\"} 1\n"));
  CHECK_THAT(text, Catch::Contains(
                       "process_exporter_build_info{program=\"vitals\",version=\"1.2.3\",revision=\"abc\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("namedprocess_scrape_errors 2\n"));  // two failed scrapes
  CHECK_THAT(text, Catch::Contains("node_scrape_collector_success{collector=\"loadavg\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("node_scrape_collector_duration_seconds{collector=\"loadavg\"}"));
  // Only node_exporter's collectors: not the agent's own.
  CHECK_THAT(text, !Catch::Contains("node_scrape_collector_success{collector=\"process\"}"));
  CHECK_THAT(text, !Catch::Contains("node_scrape_collector_success{collector=\"self\"}"));

  const std::string off = prometheus::TextSerializer().Serialize(scrape(false)->Collect());
  for (const char* family : {"node_exporter_build_info", "process_exporter_build_info",
                             "namedprocess_scrape_errors", "node_scrape_collector"}) {
    CAPTURE(family);
    CHECK_THAT(off, !Catch::Contains(family));
  }
  CHECK_THAT(off, Catch::Contains("vitals_scrape_collector_success{collector=\"loadavg\"} 1\n"));
}
