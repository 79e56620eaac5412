#include "agent/status/family_index.h"

namespace vitals::status {

FamilyIndex::FamilyIndex(const std::vector<prometheus::MetricFamily>& families) {
  for (const auto& family : families) {
    by_name_.emplace(family.name, &family);  // the first of a name wins
  }
}

const prometheus::MetricFamily* FamilyIndex::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::optional<double> FamilyIndex::Value(std::string_view name) const {
  const auto* family = Find(name);
  if (family == nullptr || family->metric.empty()) {
    return std::nullopt;
  }
  return SampleValue(*family, family->metric.front());
}

std::map<std::string, FamilyIndex::Sample> FamilyIndex::ByLabel(std::string_view name,
                                                                std::string_view label) const {
  std::map<std::string, Sample> out;
  if (const auto* family = Find(name)) {
    for (const auto& metric : family->metric) {
      out.emplace(std::string(LabelValue(metric, label)),
                  Sample{SampleValue(*family, metric), &metric});
    }
  }
  return out;
}

const std::map<std::string, FamilyIndex::Sample>& LabelColumns::Of(std::string_view family) {
  auto it = by_family_.find(family);
  if (it == by_family_.end()) {
    it = by_family_.emplace(std::string(family), families_.ByLabel(family, label_)).first;
  }
  return it->second;
}

std::optional<double> LabelColumns::At(std::string_view family, const std::string& key) {
  const auto& samples = Of(family);
  auto it = samples.find(key);
  return it == samples.end() ? std::nullopt : std::optional<double>(it->second.value);
}

double SampleValue(const prometheus::MetricFamily& family, const prometheus::ClientMetric& metric) {
  switch (family.type) {
    case prometheus::MetricType::Counter: return metric.counter.value;
    case prometheus::MetricType::Gauge: return metric.gauge.value;
    default: return metric.untyped.value;
  }
}

std::string_view LabelValue(const prometheus::ClientMetric& metric, std::string_view name) {
  for (const auto& label : metric.label) {
    if (label.name == name) {
      return label.value;
    }
  }
  return {};
}

}  // namespace vitals::status
