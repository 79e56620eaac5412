#pragma once
// ValueSource: where threshold checks read sampled values (host CPU ratio,
// a group's process count, ...). The sampler implements it; tests use a map.
// Thread contract: Get() may be called from any thread.

#include <string>
#include <variant>

#include "agent/health/clock.h"

namespace vitals::health {

struct ValueKey {
  std::string value;  // "host.cpu_busy_ratio", "group.num_procs", ...
  std::string group;  // the process group for "group.*" values, else empty

  std::string ToString() const { return group.empty() ? value : value + "{group=" + group + "}"; }
};

struct Sample {
  double value = 0;
  SteadyTime taken{};
};

class ValueSource {
 public:
  virtual ~ValueSource() = default;
  // The latest sample, or why there is none (e.g. "needs two samples").
  virtual std::variant<Sample, std::string> Get(const ValueKey& key) const = 0;
};

}  // namespace vitals::health
