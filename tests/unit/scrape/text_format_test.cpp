#include <catch2/catch.hpp>

#include <prometheus/text_serializer.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>

#include "agent/scrape/scrape_collectable.h"
#include "agent/scrape/text_format.h"

using namespace vitals;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

std::string Ours(const std::vector<MetricFamily>& families) {
  std::string out;
  scrape::AppendTextFormat(out, families);
  return out;
}

std::string Library(const std::vector<MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

MetricFamily Gauges(const std::vector<double>& values) {
  MetricFamily family{"values", "Values to format.", MetricType::Gauge, {}};
  for (double v : values) {
    ClientMetric m;
    m.gauge.value = v;
    family.metric.push_back(m);
  }
  return family;
}

}  // namespace

TEST_CASE("AppendTextFormat writes what prometheus::TextSerializer writes", "[agent]") {
  SECTION("every type, labels with escapes, timestamps, no HELP") {
    MetricFamily counter{"c_total", "A counter with \"quotes\" in HELP.", MetricType::Counter, {}};
    ClientMetric m;
    m.label = {{"a", "x\"y\\z\nw"}, {"b", ""}};
    m.counter.value = 1e21;
    m.timestamp_ms = 1700000000123;
    counter.metric.push_back(m);
    MetricFamily untyped{"u", "", MetricType::Untyped, {}};
    ClientMetric u;
    u.untyped.value = -0.0;
    untyped.metric.push_back(u);
    MetricFamily summary{"s", "S.", MetricType::Summary, {}};
    ClientMetric s;
    s.label = {{"k", "v"}};
    s.summary.sample_count = 18446744073709551615ull;
    s.summary.sample_sum = 0.1;
    s.summary.quantile = {{0.5, 1.25}, {0.99, std::numeric_limits<double>::quiet_NaN()}};
    summary.metric.push_back(s);
    MetricFamily histogram{"h", "H.", MetricType::Histogram, {}};
    ClientMetric h;
    h.histogram.sample_count = 3;
    h.histogram.sample_sum = 2.5;
    h.histogram.bucket = {{1, 0.005}, {3, 2.5}};
    histogram.metric.push_back(h);
    ClientMetric h_inf = h;
    h_inf.label = {{"le_last", "inf"}};
    h_inf.histogram.bucket.push_back({3, std::numeric_limits<double>::infinity()});
    histogram.metric.push_back(h_inf);
    const std::vector<MetricFamily> families = {counter, untyped, summary, histogram};
    CHECK(Ours(families) == Library(families));
  }
  SECTION("values: special, integral, decimal, tiny, huge and random bit patterns") {
    std::vector<double> values = {0, -0.0, 1, -1, 0.1, 1.0 / 3, 123456789012345678.0, 1e-320,
                                  5e-324, 1.7976931348623157e308, 4294967296.0, 912.034817723,
                                  std::numeric_limits<double>::infinity(),
                                  -std::numeric_limits<double>::infinity(),
                                  std::numeric_limits<double>::quiet_NaN(), 9007199254740993.0,
                                  1796409238.465387, 0.000123456789, 1e16, 1e15, 123e-7};
    std::mt19937_64 random(20240101);
    for (int i = 0; i < 20000; ++i) {
      std::uint64_t bits = random();
      double v;
      std::memcpy(&v, &bits, sizeof(v));
      values.push_back(v);
      values.push_back(static_cast<double>(random() >> (random() % 64)));  // integers
      values.push_back(static_cast<double>(random() % 100000000) / 1000.0);  // decimals
    }
    const std::vector<MetricFamily> families = {Gauges(values)};
    CHECK(Ours(families) == Library(families));
  }
}

TEST_CASE("AppendTextFormat escapes HELP and label values wherever the bytes are", "[agent]") {
  MetricFamily family{"e", "back\\slash\nnew \"line\"\\", MetricType::Gauge, {}};
  for (const char* value : {"plain", "\\first", "last\"", "\n", ""}) {
    ClientMetric m;
    m.label = {{"v", value}};
    m.gauge.value = 1;
    family.metric.push_back(m);
  }
  // TextSerializer writes HELP raw, so the expected text is spelled out.
  CHECK(Ours({family}) ==
        "# HELP e back\\\\slash\\nnew \"line\"\\\\\n"
        "# TYPE e gauge\n"
        "e{v=\"plain\"} 1\n"
        "e{v=\"\\\\first\"} 1\n"
        "e{v=\"last\\\"\"} 1\n"
        "e{v=\"\\n\"} 1\n"
        "e{v=\"\"} 1\n");
}
