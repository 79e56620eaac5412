#include <prometheus/check_names.h>

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

prometheus::MetricFamily* MetricSink::Find(std::string_view name) {
  if (last_ < families_.size() && families_[last_].name == name) {
    return &families_[last_];
  }
  for (std::size_t i = families_.size(); i-- > 0;) {
    if (families_[i].name == name) {
      last_ = i;
      return &families_[i];
    }
  }
  return nullptr;
}

void MetricSink::Add(const MetricDesc& desc, double value,
                     std::span<const std::string_view> label_values) {
  prometheus::MetricFamily* family = Find(desc.name);
  if (family == nullptr) {
    family = &families_.emplace_back();
    family->name = std::string(desc.name);
    family->help = std::string(desc.help);
    family->type = desc.type;
    last_ = families_.size() - 1;
  }
  family->metric.push_back(MakeMetric(desc, value, label_values));
}

void MetricSink::Merge(MetricSink&& other) {
  if (families_.empty()) {
    families_ = std::move(other.families_);
  } else {
    for (auto& family : other.families_) {
      if (prometheus::MetricFamily* dst = Find(family.name)) {
        dst->metric.insert(dst->metric.end(), std::make_move_iterator(family.metric.begin()),
                           std::make_move_iterator(family.metric.end()));
      } else {
        families_.push_back(std::move(family));
      }
    }
  }
  other.families_.clear();
}

std::vector<prometheus::MetricFamily> MetricSink::Take() {
  std::sort(families_.begin(), families_.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& family : families_) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
                return a.label < b.label;
              });
  }
  std::vector<prometheus::MetricFamily> out = std::move(families_);
  families_.clear();
  last_ = 0;
  return out;
}

DerivedFamilies::Map::iterator DerivedFamilies::Insert(
    std::string_view key, std::optional<std::pair<std::string, std::string>> name_help,
    prometheus::MetricType type) {
  Owned owned;
  if (name_help) {
    owned.exported = true;
    owned.bad_name = !prometheus::CheckMetricName(name_help->first);
    owned.name = std::move(name_help->first);
    owned.help = std::move(name_help->second);
  }
  auto it = descs_.emplace(std::string(key), std::move(owned)).first;
  // The strings live in the map node, which never moves.
  it->second.desc = MetricDesc{it->second.name, it->second.help, type, {}};
  return it;
}

}  // namespace vitals::collectors
