#pragma once
// The `process` kind: a declared group's process count between min and max
// (the group's own "min"/"max" are the default):
//   {"kind": "process", "group": "nginx", "min": 1, "max": 8}

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "agent/health/check.h"
#include "agent/health/value_source.h"
#include "config/reader.h"

namespace vitals::health {

struct ProcessSettings : config::KindSettings {
  std::string group;
  std::uint64_t min = 1;
  std::optional<std::uint64_t> max;
};

class ProcessCountCheck final : public Check {
 public:
  ProcessCountCheck(std::shared_ptr<const ValueSource> source, std::string group,
                    std::uint64_t min, std::optional<std::uint64_t> max, Duration max_age);
  CheckResult Run(const CheckContext& ctx) override;

 private:
  std::shared_ptr<const ValueSource> source_;
  ValueKey key_;
  std::uint64_t min_;
  std::optional<std::uint64_t> max_;
  Duration max_age_;
};

}  // namespace vitals::health
