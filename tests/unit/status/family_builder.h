#pragma once
// Families as the scrape hands them to the status page, built by hand for the
// page's tests (the agent builds them through collectors::MetricSink).

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include <string>
#include <utility>
#include <vector>

namespace vitals::status::testing {

inline prometheus::MetricFamily MakeFamily(const std::string& name, prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = name;
  f.type = type;
  return f;
}

inline void AddSample(prometheus::MetricFamily& f, double value,
                      std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  if (f.type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else if (f.type == prometheus::MetricType::Gauge) {
    m.gauge.value = value;
  } else {
    m.untyped.value = value;
  }
  f.metric.push_back(std::move(m));
}

}  // namespace vitals::status::testing
