#pragma once
// Helpers for collector tests: run a collector into a MetricSink and look up
// families and samples by name and labels.

#include <prometheus/metric_family.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/collector.h"

namespace vitals::testing {

using Labels = std::map<std::string, std::string>;

inline const prometheus::MetricFamily* FindFamily(
    const std::vector<prometheus::MetricFamily>& families, const std::string& name) {
  for (const auto& family : families) {
    if (family.name == name) {
      return &family;
    }
  }
  return nullptr;
}

// How many series `name` has (0 when it is absent).
inline std::size_t SeriesOf(const std::vector<prometheus::MetricFamily>& families,
                            const std::string& name) {
  const prometheus::MetricFamily* family = FindFamily(families, name);
  return family == nullptr ? 0 : family->metric.size();
}

inline double ValueOf(const prometheus::MetricFamily& family, const prometheus::ClientMetric& m) {
  switch (family.type) {
    case prometheus::MetricType::Counter: return m.counter.value;
    case prometheus::MetricType::Gauge: return m.gauge.value;
    default: return m.untyped.value;
  }
}

inline Labels LabelsOf(const prometheus::ClientMetric& metric) {
  Labels labels;
  for (const auto& label : metric.label) {
    labels[label.name] = label.value;
  }
  return labels;
}

// The value of the one series of `name` with exactly `labels`, if any.
inline std::optional<double> Sample(const std::vector<prometheus::MetricFamily>& families,
                                    const std::string& name, const Labels& labels = {}) {
  const prometheus::MetricFamily* family = FindFamily(families, name);
  if (family == nullptr) {
    return std::nullopt;
  }
  for (const auto& metric : family->metric) {
    if (LabelsOf(metric) == labels) {
      return ValueOf(*family, metric);
    }
  }
  return std::nullopt;
}

struct Collected {
  procfs::Result<void> result;
  std::vector<prometheus::MetricFamily> families;
  std::vector<std::string> warnings;  // MetricSink::Warn
};

inline Collected Collect(collectors::Collector& collector) {
  collectors::MetricSink sink;
  auto result = collector.Collect(sink);
  std::vector<std::string> warnings = sink.warnings();
  return Collected{std::move(result), sink.Take(), std::move(warnings)};
}

}  // namespace vitals::testing
