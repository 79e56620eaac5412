#include <catch2/catch.hpp>

#include "collectors/collector.h"
#include "tests/unit/collectors/families.h"

using namespace vitals::collectors;
using prometheus::MetricType;

namespace {
const MetricDesc kZeta{"zeta_total", "Zeta.", MetricType::Counter, {"a", "b"}};
const MetricDesc kAlpha{"alpha", "Alpha.", MetricType::Gauge, {}};
const MetricDesc kMid{"mid", "Mid.", MetricType::Untyped, {"x"}};
}  // namespace

TEST_CASE("MetricSink", "[collectors]") {
  SECTION("Add fills the value field of the family's type and the labels in order") {
    MetricSink sink;
    CHECK(sink.empty());
    sink.Add(kZeta, 1.5, {"1", "2"});
    sink.Add(kAlpha, -3);
    sink.Add(kMid, 7, {"v"});
    CHECK_FALSE(sink.empty());
    auto families = sink.Take();
    REQUIRE(families.size() == 3);
    CHECK(families[2].name == "zeta_total");
    CHECK(families[2].help == "Zeta.");
    CHECK(families[2].type == MetricType::Counter);
    REQUIRE(families[2].metric.size() == 1);
    CHECK(families[2].metric[0].counter.value == 1.5);
    REQUIRE(families[2].metric[0].label.size() == 2);
    CHECK(families[2].metric[0].label[0].name == "a");
    CHECK(families[2].metric[0].label[0].value == "1");
    CHECK(families[2].metric[0].label[1].name == "b");
    CHECK(families[2].metric[0].label[1].value == "2");
    CHECK(families[0].metric[0].gauge.value == -3);
    CHECK(families[1].metric[0].untyped.value == 7);
  }
  SECTION("Take sorts families by name and each family's series by labels") {
    MetricSink sink;
    sink.Add(kZeta, 1, {"b", "2"});
    sink.Add(kMid, 1, {"z"});
    sink.Add(kZeta, 2, {"a", "9"});
    sink.Add(kAlpha, 1);
    sink.Add(kZeta, 3, {"b", "1"});
    sink.Add(kMid, 2, {"a"});
    auto families = sink.Take();
    REQUIRE(families.size() == 3);
    CHECK(families[0].name == "alpha");
    CHECK(families[1].name == "mid");
    CHECK(families[2].name == "zeta_total");
    std::vector<double> zeta;
    for (const auto& m : families[2].metric) {
      zeta.push_back(m.counter.value);
    }
    CHECK(zeta == std::vector<double>{2, 3, 1});  // {a,9} {b,1} {b,2}
    CHECK(families[1].metric[0].label[0].value == "a");
    CHECK(families[1].metric[1].label[0].value == "z");
    CHECK(sink.empty());  // Take moves everything out
    CHECK(sink.Take().empty());
  }
  SECTION("Merge appends series to existing families and adds new ones") {
    MetricSink scrape;
    scrape.Add(kZeta, 1, {"b", "1"});
    MetricSink collector;
    collector.Add(kZeta, 2, {"a", "1"});
    collector.Add(kAlpha, 5);
    scrape.Merge(std::move(collector));
    CHECK(collector.empty());  // NOLINT(bugprone-use-after-move): Merge empties it
    auto families = scrape.Take();
    REQUIRE(families.size() == 2);
    CHECK(vitals::testing::Sample(families, "alpha") == 5);
    REQUIRE(families[1].metric.size() == 2);
    CHECK(vitals::testing::Sample(families, "zeta_total", {{"a", "a"}, {"b", "1"}}) == 2);
    CHECK(vitals::testing::Sample(families, "zeta_total", {{"a", "b"}, {"b", "1"}}) == 1);
    CHECK(families[1].metric[0].label[0].value == "a");  // sorted after the merge too
  }
  SECTION("two MetricDescs of one name make one family (found by desc, joined by name)") {
    const MetricDesc other_zeta{"zeta_total", "Zeta.", MetricType::Counter, {"a", "b"}};
    MetricSink scrape;
    scrape.Add(kZeta, 1, {"b", "1"});
    scrape.Add(kAlpha, 5);
    MetricSink collector;
    collector.Add(other_zeta, 2, {"a", "1"});
    scrape.Merge(std::move(collector));
    scrape.Add(other_zeta, 3, {"c", "1"});
    auto families = scrape.Take();
    REQUIRE(families.size() == 2);
    REQUIRE(families[1].metric.size() == 3);
    CHECK(families[1].metric[0].label[0].value == "a");
    CHECK(families[1].metric[2].label[0].value == "c");
  }
}
