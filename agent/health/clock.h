#pragma once
// Clock: the time source of the scheduler and of every state machine in
// health, injected so that tests drive timelines without sleeping.
// Thread contract: implementations are called from several threads.

#include <atomic>
#include <chrono>

namespace vitals::health {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

// Time arithmetic that stops at the ends of the range instead of wrapping.
// Every deadline in health and actions (a run's timeout, the next run, a
// heartbeat's grace, an action's back-off and burst window, a staleness
// bound) is computed with these, so no duration, however long, turns a
// deadline into the past and makes something run in a loop.
inline Duration SaturatingAdd(Duration a, Duration b) {
  Duration::rep sum = 0;
  if (__builtin_add_overflow(a.count(), b.count(), &sum)) {
    return b > Duration::zero() ? Duration::max() : Duration::min();
  }
  return Duration(sum);
}
template <class C>
std::chrono::time_point<C, Duration> SaturatingAdd(std::chrono::time_point<C, Duration> t,
                                                    Duration d) {
  return std::chrono::time_point<C, Duration>(SaturatingAdd(t.time_since_epoch(), d));
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Now() const = 0;      // deadlines, intervals, staleness
  virtual WallTime WallNow() const = 0;    // timestamps that are exported
};

class SystemClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to; wall time moves with it from a fixed
// epoch. For tests, but kept here so every test target shares one.
class ManualClock final : public Clock {
 public:
  SteadyTime Now() const override { return SteadyTime(Duration(ticks_.load())); }
  WallTime WallNow() const override {
    return WallTime(std::chrono::duration_cast<WallTime::duration>(
        std::chrono::seconds(1'700'000'000) + Duration(ticks_.load())));
  }
  void Advance(Duration by) { ticks_ += by.count(); }

 private:
  std::atomic<Duration::rep> ticks_{Duration(std::chrono::hours(1)).count()};
};

}  // namespace vitals::health
