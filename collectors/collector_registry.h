#pragma once
// Every built-in collector, listed explicitly in one place (static
// self-registration is dropped by static-library linking).

#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace vitals::collectors {

struct CollectorInfo {
  std::string_view name;
  std::string_view help;
  bool enabled_by_default;
  CollectorFactory factory;
};

class CollectorRegistry {
 public:
  void Register(CollectorInfo info) { all_.push_back(std::move(info)); }
  const std::vector<CollectorInfo>& all() const { return all_; }
  const CollectorInfo* Find(std::string_view name) const;

 private:
  std::vector<CollectorInfo> all_;
};

void RegisterBuiltinCollectors(CollectorRegistry& registry);

}  // namespace vitals::collectors
