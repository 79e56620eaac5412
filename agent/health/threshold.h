#pragma once
// Pure state machines of the health model: a ValueRule maps a number to a
// status, a ForFilter holds a bad status back until it has lasted `for`, and
// a HysteresisState smooths a series of results into the reported status.
// None of them reads a clock or locks: callers pass the time and serialize.

#include <cstdint>
#include <optional>
#include <string>

#include "agent/health/check.h"
#include "agent/health/clock.h"
#include "agent/health/status.h"

namespace vitals::health {

enum class Direction : std::uint8_t {
  kAbove,  // higher is worse: CPU busy ratio, load, fds
  kBelow,  // lower is worse: memory available ratio, process count
};

// Reaching a level counts: with kAbove, value >= unhealthy_at is Unhealthy.
// Either level may be absent (only an unhealthy level, say), not both.
struct ValueRule {
  std::optional<double> degraded_at;
  std::optional<double> unhealthy_at;
  Direction direction = Direction::kAbove;
};

// The status of `value` under `rule`. NaN is not a value: callers reject it
// before (a check treats it as an error), and here it is Unhealthy.
HealthStatus Evaluate(const ValueRule& rule, double value);

// "0.93 is at or above the degraded level 0.9", for descriptions.
std::string Explain(const ValueRule& rule, double value);

// `value` as descriptions print it: "0.93", "1e+10", the same in every locale.
std::string FormatNumber(double value);

// Prometheus' `for` on a rule: a status worse than Healthy is reported only
// once the raw status has been at least that bad for `hold`; improvements
// apply at once (hysteresis, not `for`, smooths the way back).
//
//   hold = 30s   t=0 raw Degraded  -> Healthy  (Degraded pending since 0)
//                t=20 raw Unhealthy-> Healthy  (Unhealthy pending since 20)
//                t=30 raw Unhealthy-> Degraded (at least Degraded since 0)
//                t=50 raw Unhealthy-> Unhealthy
//                t=55 raw Healthy  -> Healthy  (both clocks reset)
class ForFilter {
 public:
  HealthStatus Apply(HealthStatus raw, SteadyTime now, Duration hold);
  // How long the worst pending status has been held back, for descriptions.
  std::optional<Duration> PendingFor(SteadyTime now) const;

 private:
  std::optional<SteadyTime> degraded_since_;   // raw has been Degraded or worse since
  std::optional<SteadyTime> unhealthy_since_;  // raw has been Unhealthy since
  HealthStatus last_raw_ = HealthStatus::kHealthy;
  HealthStatus last_out_ = HealthStatus::kHealthy;
};

// Envoy-style hysteresis. The first result applies at once. After that a
// result worse than the reported status counts a failure, a better one a
// success, an equal one resets both; after failures_before_unhealthy
// failures in a row (or successes_before_healthy successes) the reported
// status becomes the latest result.
//
//   failures_before_unhealthy = 3, successes_before_healthy = 2
//   results:  H  U  U  H  U  U  U  D  H  H
//   reported: H  H  H  H  H  H  U  U  H  H
//             ^first   ^reset   ^3rd U in a row
//                                  ^D is better than U: 1 success
//                                     ^2nd success in a row: the latest (H) applies
//
// Failures that bypass it: none of the results do; staleness and "pending"
// (no result yet) are not results and are reported without hysteresis.
class HysteresisState {
 public:
  // Returns true when the reported status changed (not on the first result).
  bool Apply(HealthStatus raw, const Hysteresis& hysteresis);

  std::optional<HealthStatus> status() const { return status_; }
  std::uint32_t failures_in_row() const { return failures_; }
  std::uint32_t successes_in_row() const { return successes_; }

 private:
  std::optional<HealthStatus> status_;
  std::uint32_t failures_ = 0;
  std::uint32_t successes_ = 0;
};

}  // namespace vitals::health
