#pragma once
// The checks over sampled values: `threshold` (a ValueRule with an optional
// `for`) and `process` (a group's process count between min and max).

#include <memory>
#include <optional>

#include "agent/health/check.h"
#include "agent/health/threshold.h"
#include "agent/health/value_source.h"

namespace vitals::health {

class ThresholdCheck final : public Check {
 public:
  // A sample older than `max_age` is an error, not a verdict: the sampler has
  // stopped, and the last good value must not pass for a fresh one.
  ThresholdCheck(std::shared_ptr<const ValueSource> source, ValueKey key, ValueRule rule,
                 Duration hold, Duration max_age);
  CheckResult Run(const CheckContext& ctx) override;

 private:
  std::shared_ptr<const ValueSource> source_;
  ValueKey key_;
  ValueRule rule_;
  Duration hold_;
  Duration max_age_;
  ForFilter for_;  // state between runs; runs of one check never overlap
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

// Reads one fresh sample or throws CheckError saying why not.
Sample ReadFresh(const ValueSource& source, const ValueKey& key, SteadyTime now, Duration max_age);

}  // namespace vitals::health
