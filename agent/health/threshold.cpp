#include "agent/health/threshold.h"

#include <cmath>
#include <sstream>

namespace vitals::health {

namespace {

bool Reached(double value, double level, Direction direction) {
  return direction == Direction::kAbove ? value >= level : value <= level;
}

}  // namespace

std::string FormatNumber(double value) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out << value;
  return out.str();
}

HealthStatus Evaluate(const ValueRule& rule, double value) {
  if (std::isnan(value)) {
    return HealthStatus::kUnhealthy;
  }
  if (rule.unhealthy_at && Reached(value, *rule.unhealthy_at, rule.direction)) {
    return HealthStatus::kUnhealthy;
  }
  if (rule.degraded_at && Reached(value, *rule.degraded_at, rule.direction)) {
    return HealthStatus::kDegraded;
  }
  return HealthStatus::kHealthy;
}

std::string Explain(const ValueRule& rule, double value) {
  const char* side = rule.direction == Direction::kAbove ? "above" : "below";
  switch (Evaluate(rule, value)) {
    case HealthStatus::kUnhealthy:
      if (std::isnan(value)) {
        return "value is NaN";
      }
      return FormatNumber(value) + " is at or " + side + " the unhealthy level " +
             FormatNumber(*rule.unhealthy_at);
    case HealthStatus::kDegraded:
      return FormatNumber(value) + " is at or " + side + " the degraded level " +
             FormatNumber(*rule.degraded_at);
    case HealthStatus::kHealthy:
      break;
  }
  const double level = rule.degraded_at ? *rule.degraded_at : *rule.unhealthy_at;
  return FormatNumber(value) + " is " + (rule.direction == Direction::kAbove ? "below" : "above") +
         " the " + (rule.degraded_at ? "degraded" : "unhealthy") + " level " + FormatNumber(level);
}

HealthStatus ForFilter::Apply(HealthStatus raw, SteadyTime now, Duration hold) {
  if (raw <= HealthStatus::kDegraded) {
    degraded_since_ = degraded_since_.value_or(now);
  } else {
    degraded_since_.reset();
  }
  if (raw == HealthStatus::kUnhealthy) {
    unhealthy_since_ = unhealthy_since_.value_or(now);
  } else {
    unhealthy_since_.reset();
  }
  last_raw_ = raw;
  if (unhealthy_since_ && now - *unhealthy_since_ >= hold) {
    last_out_ = HealthStatus::kUnhealthy;
  } else if (degraded_since_ && now - *degraded_since_ >= hold) {
    last_out_ = HealthStatus::kDegraded;
  } else {
    last_out_ = HealthStatus::kHealthy;
  }
  return last_out_;
}

std::optional<Duration> ForFilter::PendingFor(SteadyTime now) const {
  if (last_raw_ >= last_out_) {
    return std::nullopt;  // nothing held back
  }
  const auto& since = last_raw_ == HealthStatus::kUnhealthy ? unhealthy_since_ : degraded_since_;
  if (!since) {
    return std::nullopt;
  }
  return now - *since;
}

bool HysteresisState::Apply(HealthStatus raw, const Hysteresis& hysteresis) {
  if (!status_) {
    status_ = raw;
    return false;
  }
  if (raw == *status_) {
    failures_ = 0;
    successes_ = 0;
    return false;
  }
  if (raw < *status_) {
    ++failures_;
    successes_ = 0;
    if (failures_ >= hysteresis.failures_before_unhealthy) {
      status_ = raw;
      failures_ = 0;
      return true;
    }
    return false;
  }
  ++successes_;
  failures_ = 0;
  if (successes_ >= hysteresis.successes_before_healthy) {
    status_ = raw;
    successes_ = 0;
    return true;
  }
  return false;
}

}  // namespace vitals::health
