#include <algorithm>
#include <cassert>

#include "collectors/collector.h"

namespace vitals::collectors {

namespace {

prometheus::ClientMetric MakeMetric(const MetricDesc& desc, double value,
                                    std::span<const std::string_view> label_values) {
  assert(label_values.size() == desc.labels.size());
  prometheus::ClientMetric metric;
  metric.label.reserve(label_values.size());
  for (std::size_t i = 0; i < label_values.size(); ++i) {
    metric.label.push_back({std::string(desc.labels[i]), std::string(label_values[i])});
  }
  switch (desc.type) {
    case prometheus::MetricType::Counter: metric.counter.value = value; break;
    case prometheus::MetricType::Gauge: metric.gauge.value = value; break;
    default: metric.untyped.value = value; break;
  }
  return metric;
}

}  // namespace

void MetricSink::Add(const MetricDesc& desc, double value,
                     std::initializer_list<std::string_view> label_values) {
  Add(desc, value, std::span<const std::string_view>(label_values.begin(), label_values.size()));
}

void MetricSink::Add(const MetricDesc& desc, double value,
                     std::span<const std::string_view> label_values) {
  auto it = families_.find(desc.name);
  if (it == families_.end()) {
    prometheus::MetricFamily family;
    family.name = std::string(desc.name);
    family.help = std::string(desc.help);
    family.type = desc.type;
    it = families_.emplace(family.name, std::move(family)).first;
  }
  it->second.metric.push_back(MakeMetric(desc, value, label_values));
}

void MetricSink::Merge(MetricSink&& other) {
  for (auto& [name, family] : other.families_) {
    auto it = families_.find(name);
    if (it == families_.end()) {
      families_.emplace(name, std::move(family));
    } else {
      auto& dst = it->second.metric;
      dst.insert(dst.end(), std::make_move_iterator(family.metric.begin()),
                 std::make_move_iterator(family.metric.end()));
    }
  }
  other.families_.clear();
}

std::vector<prometheus::MetricFamily> MetricSink::Take() {
  std::vector<prometheus::MetricFamily> out;
  out.reserve(families_.size());
  for (auto& [name, family] : families_) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
                return a.label < b.label;
              });
    out.push_back(std::move(family));
  }
  families_.clear();
  return out;
}

}  // namespace vitals::collectors
