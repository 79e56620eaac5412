#include "agent/actions/limiter.h"

#include <algorithm>

#include "agent/health/clock.h"

namespace vitals::actions {

void Limiter::MaybeReset(Time now) {
  if (healthy_since_ && now - *healthy_since_ >= spec_.reset_after &&
      (consecutive_ > 0 || !runs_.empty())) {
    runs_.clear();
    consecutive_ = 0;
    next_allowed_.reset();
    ++resets_;
  }
}

void Limiter::Prune(Time now) {
  while (!runs_.empty() && now - runs_.front() >= spec_.interval) {
    runs_.pop_front();
  }
}

void Limiter::Observe(bool healthy, Time at) {
  if (healthy) {
    if (!healthy_since_) {
      healthy_since_ = at;
    }
    return;
  }
  MaybeReset(at);  // the Healthy stretch that just ended may have been long enough
  healthy_since_.reset();
}

Limiter::Decision Limiter::Ask(Time now) {
  MaybeReset(now);
  Prune(now);
  if (next_allowed_ && now < *next_allowed_) {
    return {Verdict::kWait, *next_allowed_};
  }
  if (runs_.size() >= spec_.burst) {
    return {Verdict::kSuppressed, health::SaturatingAdd(runs_.front(), spec_.interval)};
  }
  return {Verdict::kRun, now};
}

void Limiter::Record(Time now) {
  runs_.push_back(now);
  ++consecutive_;
  Duration wait = spec_.backoff;
  for (std::uint32_t i = 1; i < consecutive_ && wait < spec_.max_backoff; ++i) {
    wait = health::SaturatingAdd(wait, wait);
  }
  next_allowed_ = health::SaturatingAdd(now, std::min(wait, spec_.max_backoff));
}

std::size_t Limiter::RunsInWindow(Time now) {
  MaybeReset(now);
  Prune(now);
  return runs_.size();
}

}  // namespace vitals::actions
