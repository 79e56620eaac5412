#pragma once
// FamilyIndex: looks samples up by family name and label in a scrape's (or
// the sampler's) prometheus::MetricFamily list, whatever the family's type,
// so the page reads the families that are present instead of knowing which
// collectors run.

#include <prometheus/metric_family.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vitals::status {

class FamilyIndex {
 public:
  // Keeps a pointer to `families`, which must outlive the index.
  explicit FamilyIndex(const std::vector<prometheus::MetricFamily>& families);

  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  const prometheus::MetricFamily* Find(std::string_view name) const;
  // The value of the family's first sample, if it has one.
  std::optional<double> Value(std::string_view name) const;
  // One sample per value of `label` (the first when several share it).
  struct Sample {
    double value = 0;
    const prometheus::ClientMetric* metric = nullptr;
  };
  std::map<std::string, Sample> ByLabel(std::string_view name, std::string_view label) const;

 private:
  std::map<std::string, const prometheus::MetricFamily*, std::less<>> by_name_;
};

// The samples of several families by the value of one label: the rows of
// a table (a group, a mount point) and its columns (families). A family is
// indexed on its first use. Keeps a reference to `families`.
class LabelColumns {
 public:
  LabelColumns(const FamilyIndex& families, std::string_view label)
      : families_(families), label_(label) {}

  // The samples of `family` by the label's value.
  const std::map<std::string, FamilyIndex::Sample>& Of(std::string_view family);
  // The value of `family` where the label is `key`, if it has one.
  std::optional<double> At(std::string_view family, const std::string& key);

 private:
  const FamilyIndex& families_;
  std::string label_;
  std::map<std::string, std::map<std::string, FamilyIndex::Sample>, std::less<>> by_family_;
};

// The sample's value (gauge, counter or untyped, as the family's type says).
double SampleValue(const prometheus::MetricFamily& family, const prometheus::ClientMetric& metric);
// The value of label `name`, or empty.
std::string_view LabelValue(const prometheus::ClientMetric& metric, std::string_view name);

}  // namespace vitals::status
