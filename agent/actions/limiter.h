#pragma once
// Limiter: when one action of a check may run. Pure (no clock, no thread):
// the runner passes the time in. Two limits, per action:
//
//  - back-off (systemd's RestartSec, growing like the kubelet's crash-loop
//    back-off): after a run the action waits `backoff` before it may run
//    again, and each further run without a recovery doubles that wait, up to
//    `max_backoff`. While the check stays Unhealthy the action is retried
//    each time the wait ends (a restart that did not help is tried again).
//  - burst (systemd's StartLimitBurst / StartLimitIntervalSec): at most
//    `burst` runs in any window of `interval`. Past it the action is
//    suppressed: not run, logged and counted once per attempt, and the check
//    stays Unhealthy; the next attempt is when the oldest run leaves the window.
//
// Recovery: when the check has been Healthy for `reset_after` without a break
// (the kubelet's 10 minutes), both counters are reset: the run history is
// forgotten and the next run is immediate. A crash-looping service is Healthy
// only briefly after each restart, so it never resets and meets the burst.
//
// Timeline, backoff 10s, max 40s, burst 3 per 10m, reset_after 10m:
//   t=0    Unhealthy      -> run 1          (next allowed at t=10s)
//   t=4    Healthy, t=6 Unhealthy -> wait until t=10 -> run 2 (next t=30)
//   t=30   still Unhealthy -> run 3          (next t=70)
//   t=70   still Unhealthy -> suppressed (3 runs in the last 10m); again at t=600
//   t=600  still Unhealthy -> run 4 (run 1 left the window)
//   ... Healthy from t=700 to t=1300 -> reset; a failure at t=1300 runs at once.
//
// Thread contract: none; the runner guards each Limiter with its mutex.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace vitals::actions {

using Time = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

struct LimitSpec {
  Duration backoff = std::chrono::seconds(10);
  Duration max_backoff = std::chrono::minutes(5);
  std::uint32_t burst = 3;
  Duration interval = std::chrono::minutes(10);
  Duration reset_after = std::chrono::minutes(10);
};

class Limiter {
 public:
  enum class Verdict { kRun, kWait, kSuppressed };
  struct Decision {
    Verdict verdict;
    Time retry_at;  // kWait, kSuppressed: when to ask again
  };

  explicit Limiter(LimitSpec spec) : spec_(spec) {}

  // The check's status changed: healthy or not (Degraded and Unhealthy are
  // both "not healthy": only Healthy counts towards recovery).
  void Observe(bool healthy, Time at);
  // The action wants to run now (its check is Unhealthy).
  Decision Ask(Time now);
  // A run started at `now` (after Ask said kRun).
  void Record(Time now);

  std::uint32_t consecutive() const { return consecutive_; }
  std::size_t RunsInWindow(Time now);  // prunes
  std::optional<Time> next_allowed() const { return next_allowed_; }
  const LimitSpec& spec() const { return spec_; }
  std::uint64_t resets() const { return resets_; }

 private:
  void MaybeReset(Time now);
  void Prune(Time now);

  LimitSpec spec_;
  std::deque<Time> runs_;  // starts within the last interval, oldest first
  std::uint32_t consecutive_ = 0;  // runs since the last reset
  std::optional<Time> next_allowed_;
  std::optional<Time> healthy_since_;
  std::uint64_t resets_ = 0;
};

}  // namespace vitals::actions
