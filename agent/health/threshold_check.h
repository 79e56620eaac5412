#pragma once
// The `threshold` kind: a ValueRule over a sampled value (sampler.h's
// SampledValues) with an optional `for`:
//   {"kind": "threshold", "value": "group.worst_fd_ratio", "group": "api",
//    "direction": "above", "degraded": 0.7, "unhealthy": 0.9, "for": "1m"}
// A per-instance host value names its instance by its label (e.g.
// "mountpoint": "/") or the worst of those a regex matches (the label plus
// "s": "mountpoints": "^/(var|srv)").

#include <memory>
#include <optional>

#include "agent/health/check.h"
#include "agent/health/threshold.h"
#include "agent/health/value_source.h"
#include "config/reader.h"

namespace vitals::health {

struct ThresholdSettings : config::KindSettings {
  std::string value;  // a SampledValues() name
  ValueKey key;       // value, and the group, mount point or device (or a regex)
  ValueRule rule;
  Duration hold{};  // "for"
};

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

// Reads one fresh sample or throws CheckError saying why not.
Sample ReadFresh(const ValueSource& source, const ValueKey& key, SteadyTime now, Duration max_age);

}  // namespace vitals::health
