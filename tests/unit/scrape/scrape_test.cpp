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
  explicit Scripted(procfs::Result<void> result, std::string name = "scripted")
      : result_(std::move(result)), name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  std::span<const collectors::MetricDesc> Describe() const override { return {&kDesc, 1}; }
  procfs::Result<void> Collect(collectors::MetricSink& out) override {
    out.Add(kDesc, 7);
    return result_;
  }

 private:
  procfs::Result<void> result_;
  std::string name_;
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

TEST_CASE("ScrapeCollectable: the collector series in name order, each with its own outcome",
          "[agent]") {
  std::vector<std::shared_ptr<collectors::Collector>> all;
  all.push_back(std::make_shared<Scripted>(procfs::Result<void>{}, "zeta"));
  all.push_back(std::make_shared<Scripted>(procfs::ParseError("stat", "garbled"), "alpha"));
  all.push_back(std::make_shared<Scripted>(procfs::Result<void>{}, "mu"));
  scrape::ScrapeCollectable scrape(std::move(all), scrape::BuildInfo{"1", "r", "c"});
  std::string text = prometheus::TextSerializer().Serialize(scrape.Collect());
  CHECK_THAT(text, Catch::Contains("vitals_scrape_collector_success{collector=\"alpha\"} 0\n"
                                   "vitals_scrape_collector_success{collector=\"mu\"} 1\n"
                                   "vitals_scrape_collector_success{collector=\"zeta\"} 1\n"));
  for (const char* name : {"alpha", "mu", "zeta"}) {
    CHECK_THAT(text, Catch::Contains("vitals_scrape_collector_duration_seconds{collector=\"" +
                                     std::string(name) + "\"}"));
  }
}
