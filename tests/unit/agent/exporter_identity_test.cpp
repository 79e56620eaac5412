// The families that make dashboards for node_exporter and process-exporter
// work: node_scrape_collector_* only for node_exporter's collectors, which
// ScrapeCollectable finds in the built-in registry (the agent links them).
#include <catch2/catch.hpp>

#include <prometheus/text_serializer.h>

#include <memory>
#include <string>

#include "agent/scrape/scrape_collectable.h"

using namespace vitals;

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
