#include "agent/health/threshold_check.h"

#include <cmath>

#include "agent/health/report.h"

namespace vitals::health {

Sample ReadFresh(const ValueSource& source, const ValueKey& key, SteadyTime now,
                 Duration max_age) {
  auto got = source.Get(key);
  if (auto* why = std::get_if<std::string>(&got)) {
    throw CheckError(key.ToString() + ": " + *why);
  }
  const Sample& sample = std::get<Sample>(got);
  if (now - sample.taken > max_age) {
    throw CheckError(key.ToString() + ": the last sample is " + FormatDuration(now - sample.taken) +
                     " old (limit " + FormatDuration(max_age) + ")");
  }
  if (!std::isfinite(sample.value)) {
    throw CheckError(key.ToString() + ": the sample is not a finite number");
  }
  return sample;
}

ThresholdCheck::ThresholdCheck(std::shared_ptr<const ValueSource> source, ValueKey key,
                               ValueRule rule, Duration hold, Duration max_age)
    : source_(std::move(source)),
      key_(std::move(key)),
      rule_(rule),
      hold_(hold),
      max_age_(max_age) {}

CheckResult ThresholdCheck::Run(const CheckContext& ctx) {
  const Sample sample = ReadFresh(*source_, key_, ctx.now, max_age_);
  const HealthStatus raw = Evaluate(rule_, sample.value);
  CheckResult result;
  result.status = for_.Apply(raw, ctx.now, hold_);
  result.description = key_.ToString() + " " + Explain(rule_, sample.value);
  if (auto pending = for_.PendingFor(ctx.now)) {
    result.description += " for " + FormatDuration(*pending) + " of " + FormatDuration(hold_);
  }
  result.value = sample.value;
  result.data["value"] = sample.value;
  if (rule_.degraded_at) {
    result.data["degraded"] = *rule_.degraded_at;
  }
  if (rule_.unhealthy_at) {
    result.data["unhealthy"] = *rule_.unhealthy_at;
  }
  result.data["direction"] = rule_.direction == Direction::kAbove ? "above" : "below";
  if (hold_ > Duration::zero()) {
    result.data["for"] = FormatDuration(hold_);
  }
  return result;
}

ProcessCountCheck::ProcessCountCheck(std::shared_ptr<const ValueSource> source, std::string group,
                                     std::uint64_t min, std::optional<std::uint64_t> max,
                                     Duration max_age)
    : source_(std::move(source)),
      key_{"group.num_procs", std::move(group)},
      min_(min),
      max_(max),
      max_age_(max_age) {}

CheckResult ProcessCountCheck::Run(const CheckContext& ctx) {
  const Sample sample = ReadFresh(*source_, key_, ctx.now, max_age_);
  const auto count = static_cast<std::uint64_t>(sample.value);
  CheckResult result;
  result.value = sample.value;
  result.data["group"] = key_.group;
  result.data["processes"] = count;
  result.data["min"] = min_;
  if (max_) {
    result.data["max"] = *max_;
  }
  const std::string have = "group " + key_.group + " has " + FormatNumber(sample.value) +
                           " process" + (count == 1 ? "" : "es");
  if (count < min_) {
    result.status = HealthStatus::kUnhealthy;
    result.description = have + ", fewer than the minimum " + std::to_string(min_);
  } else if (max_ && count > *max_) {
    result.status = HealthStatus::kUnhealthy;
    result.description = have + ", more than the maximum " + std::to_string(*max_);
  } else {
    result.description = have;
  }
  return result;
}

}  // namespace vitals::health
