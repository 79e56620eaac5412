#include <prometheus/check_names.h>

#include <algorithm>
#include <cassert>
#include <cstdint>

#include "collectors/collector.h"

namespace vitals::collectors {

namespace {

// Fills `metric`, made in place in its family: a ClientMetric is 136 bytes,
// and building one apart cost a move and a destruction more per sample.
void FillMetric(prometheus::ClientMetric& metric, const MetricDesc& desc, double value,
                std::span<const std::string_view> label_values) {
  assert(label_values.size() == desc.labels.size());
  metric.label.reserve(label_values.size());
  for (std::size_t i = 0; i < label_values.size(); ++i) {
    metric.label.push_back({std::string(desc.labels[i]), std::string(label_values[i])});
  }
  switch (desc.type) {
    case prometheus::MetricType::Counter: metric.counter.value = value; break;
    case prometheus::MetricType::Gauge: metric.gauge.value = value; break;
    default: metric.untyped.value = value; break;
  }
}

// Series by their labels, in the order of std::vector<Label>'s operator<
// (name, then value, label by label), with one comparison of each string:
// that operator, synthesized in C++20 from Label's operator< alone, calls it
// twice per label and each call compares name and value again, which made
// sorting a scrape's series a tenth of its instructions (callgrind).
bool LabelsLess(const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
  const auto& x = a.label;
  const auto& y = b.label;
  const std::size_t n = std::min(x.size(), y.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (int c = x[i].name.compare(y[i].name); c != 0) {
      return c < 0;
    }
    if (int c = x[i].value.compare(y[i].value); c != 0) {
      return c < 0;
    }
  }
  return x.size() < y.size();
}

// Sorts a family's series by their labels, the first added first among
// equal ones. Through pointers: a ClientMetric is 136 bytes of vectors and
// doubles, and sorting them in place moved each one many times, most of the
// cost of sorting.
void SortByLabels(std::vector<prometheus::ClientMetric>& metrics) {
  if (std::is_sorted(metrics.begin(), metrics.end(), LabelsLess)) {
    return;
  }
  std::vector<prometheus::ClientMetric*> order;
  order.reserve(metrics.size());
  for (auto& metric : metrics) {
    order.push_back(&metric);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* a, const auto* b) { return LabelsLess(*a, *b); });
  std::vector<prometheus::ClientMetric> sorted;
  sorted.reserve(metrics.size());
  for (auto* metric : order) {
    sorted.push_back(std::move(*metric));
  }
  metrics = std::move(sorted);
}

}  // namespace

void MetricSink::Add(const MetricDesc& desc, double value,
                     std::initializer_list<std::string_view> label_values) {
  Add(desc, value, std::span<const std::string_view>(label_values.begin(), label_values.size()));
}

prometheus::MetricFamily* MetricSink::Find(const MetricDesc* desc) {
  if (last_ < keys_.size() && keys_[last_] == desc) {
    return &families_[last_];
  }
  // A collector that emits several families per device adds them in turn.
  if (last_ + 1 < keys_.size() && keys_[last_ + 1] == desc) {
    return &families_[++last_];
  }
  for (std::size_t i = keys_.size(); i-- > 0;) {
    if (keys_[i] == desc) {
      last_ = i;
      return &families_[i];
    }
  }
  return nullptr;
}

void MetricSink::Add(const MetricDesc& desc, double value,
                     std::span<const std::string_view> label_values) {
  prometheus::MetricFamily* family = Find(&desc);
  if (family == nullptr) {
    family = &families_.emplace_back();
    family->name = std::string(desc.name);
    family->help = std::string(desc.help);
    family->type = desc.type;
    keys_.push_back(&desc);
    last_ = families_.size() - 1;
  }
  FillMetric(family->metric.emplace_back(), desc, value, label_values);
}

void MetricSink::Add(prometheus::MetricFamily family) {
  families_.push_back(std::move(family));
  keys_.push_back(nullptr);  // found by no MetricDesc
}

void MetricSink::Merge(MetricSink&& other) {
  // Appended as they are: another collector's families are (nearly always)
  // new here, and Take() joins any of the same name.
  if (families_.empty()) {
    families_ = std::move(other.families_);
    keys_ = std::move(other.keys_);
  } else {
    families_.insert(families_.end(), std::make_move_iterator(other.families_.begin()),
                     std::make_move_iterator(other.families_.end()));
    keys_.insert(keys_.end(), other.keys_.begin(), other.keys_.end());
  }
  other.families_.clear();
  other.keys_.clear();
}

std::vector<prometheus::MetricFamily> MetricSink::Take() {
  // Sorted by name through indices (a family is a few strings and a vector:
  // moving each once is cheaper than swapping them about).
  std::vector<std::uint32_t> order(families_.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
    return families_[a].name < families_[b].name;
  });
  // Families of the same name (from different MetricDescs, or merged from
  // two sinks) become one.
  std::vector<prometheus::MetricFamily> out;
  out.reserve(families_.size());
  for (std::uint32_t i : order) {
    prometheus::MetricFamily& family = families_[i];
    if (!out.empty() && out.back().name == family.name) {
      auto& into = out.back().metric;
      into.insert(into.end(), std::make_move_iterator(family.metric.begin()),
                  std::make_move_iterator(family.metric.end()));
    } else {
      out.push_back(std::move(family));
    }
  }
  for (auto& family : out) {
    SortByLabels(family.metric);
  }
  families_.clear();
  keys_.clear();
  last_ = 0;
  return out;
}

DerivedFamilies::Map::iterator DerivedFamilies::Insert(
    std::string_view key, std::optional<std::pair<std::string, std::string>> name_help,
    prometheus::MetricType type, std::span<const std::string_view> labels) {
  Owned owned;
  if (name_help) {
    owned.exported = true;
    owned.bad_name = !prometheus::CheckMetricName(name_help->first);
    owned.name = std::move(name_help->first);
    owned.help = std::move(name_help->second);
  }
  auto it = descs_.emplace(std::string(key), std::move(owned)).first;
  // The strings live in the map node, which never moves.
  it->second.desc = MetricDesc{it->second.name, it->second.help, type,
                               std::vector<std::string_view>(labels.begin(), labels.end())};
  return it;
}

}  // namespace vitals::collectors
