#pragma once
// ValueSource: where threshold checks read sampled values (host CPU ratio,
// a group's process count, ...). The sampler implements it; tests use a map.
// Thread contract: Get() may be called from any thread.

#include <string>
#include <variant>

#include "agent/health/clock.h"

namespace vitals::health {

struct ValueKey {
  std::string value;     // "host.cpu_busy_ratio", "group.num_procs", ...
  std::string instance;  // the process group, mount point or device; else empty
  std::string label = "group";  // what `instance` is: "group", "mountpoint", "device"
  // Instead of `instance`: the worst instance whose name this regex (RE2,
  // unanchored) matches; worst is the highest when `higher_is_worse`.
  std::string pattern = {};
  bool higher_is_worse = true;

  std::string ToString() const {
    if (!pattern.empty()) {
      return value + "{" + label + "=~" + pattern + "}";
    }
    return instance.empty() ? value : value + "{" + label + "=" + instance + "}";
  }
};

struct Sample {
  double value = 0;
  SteadyTime taken{};
  std::string instance = {};  // the instance a pattern chose, else empty
};

class ValueSource {
 public:
  virtual ~ValueSource() = default;
  // The latest sample, or why there is none (e.g. "needs two samples").
  virtual std::variant<Sample, std::string> Get(const ValueKey& key) const = 0;
};

}  // namespace vitals::health
