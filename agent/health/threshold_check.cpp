#include "agent/health/threshold_check.h"

#include <re2/re2.h>

#include <cmath>

#include "agent/health/kind.h"
#include "agent/health/report.h"
#include "agent/health/sampler.h"

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
  if (!sample.instance.empty()) {  // the worst of a pattern's matches
    result.description += " (" + key_.label + " " + sample.instance + ")";
    result.data[key_.label] = sample.instance;
  }
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

namespace {

// The keys naming a per-instance host value's instance (metric label, or
// label + "s" for a regex).
const char* const kSelectorKeys[] = {"mountpoint", "mountpoints", "device", "devices"};

ThresholdSettings ReadThreshold(const config::Reader& r, config::CheckConfig&,
                                const config::KindReadContext& context) {
  ThresholdSettings t;
  const SampledValue* info = nullptr;
  if (auto v = r.String("value", true)) {
    t.value = *v;
    std::string list;
    for (const SampledValue& known : SampledValues()) {
      info = known.name == *v ? &known : info;
      list += (list.empty() ? "" : ", ") + std::string(known.name);
    }
    if (info == nullptr) {
      r.FailAt("value", "expected one of " + list + ", got \"" + *v + "\"");
    }
  }
  const std::string_view label =
      info == nullptr || info->per_group || info->metric.labels.empty() ? ""
                                                                         : info->metric.labels[0];
  for (const char* key : kSelectorKeys) {
    const std::string_view k(key);
    if (r.Has(key) && info != nullptr && k != label && k.substr(0, k.size() - 1) != label) {
      const std::string takes =
          info->per_group ? "group"
          : label.empty() ? std::string()
                          : std::string(label) + " or " + std::string(label) + "s";
      r.FailAt(key, "not allowed with " + t.value +
                        (takes.empty() ? " (it has no instances)" : " (it takes " + takes + ")"));
    }
  }
  if (info != nullptr && info->per_group) {
    t.key.instance = config::ReadDeclaredGroup(r, context, "group value");
  } else if (info != nullptr && r.Has("group")) {
    r.FailAt("group", "not allowed with a host value");
  } else if (!label.empty()) {
    const std::string one(label), pattern = one + "s";
    t.key.label = one;
    if (r.Has(one) == r.Has(pattern)) {
      r.Fail("expected \"" + one + "\" (one) or \"" + pattern + "\" (a regex: the worst match) with " +
             t.value + ", not " + (r.Has(one) ? "both" : "neither"));
    } else if (auto exact = r.String(one)) {
      t.key.instance = *exact;
      if (exact->empty()) {
        r.FailAt(one, "expected a " + one + ", got \"\"");
      }
    } else if (auto regex = r.String(pattern)) {
      const RE2 re(*regex, RE2::Quiet);
      if (!re.ok() || regex->empty()) {
        r.FailAt(pattern, "expected a regex (RE2), got \"" + *regex + "\": " +
                              (regex->empty() ? std::string("empty") : re.error()));
      }
      t.key.pattern = *regex;
    }
  }
  bool above = info == nullptr || info->higher_is_worse;
  if (auto d = r.String("direction")) {
    if (*d == "above" || *d == "below") {
      above = *d == "above";
    } else {
      r.FailAt("direction", "expected above or below, got \"" + *d + "\"");
    }
  }
  t.rule = {config::ReadNumber(r, "degraded"), config::ReadNumber(r, "unhealthy"),
            above ? Direction::kAbove : Direction::kBelow};
  if (!r.Has("degraded") && !r.Has("unhealthy")) {
    r.Fail("expected a \"degraded\" or an \"unhealthy\" level, or both");
  }
  const auto& degraded = t.rule.degraded_at;
  const auto& unhealthy = t.rule.unhealthy_at;
  if (degraded && unhealthy && (above ? *degraded > *unhealthy : *degraded < *unhealthy)) {
    r.FailAt("degraded", std::string("expected the degraded level ") +
                             (above ? "at or below" : "at or above") +
                             " the unhealthy level with direction " + (above ? "above" : "below") +
                             ", got " + config::Describe(r.At("degraded").value()) + " vs " +
                             config::Describe(r.At("unhealthy").value()));
  }
  t.hold = r.Duration("for").value_or(std::chrono::milliseconds(0));
  t.key.value = t.value;
  t.key.higher_is_worse = above;  // the worst match of a pattern
  return t;
}

CheckKind ThresholdKind() {
  CheckKind kind = MakeKind<ThresholdSettings>(
      "threshold",
      {"value", "group", "mountpoint", "mountpoints", "device", "devices", "degraded",
       "unhealthy", "direction", "for"},
      ReadThreshold,
      [](const ThresholdSettings& t, const config::CheckConfig&, KindContext& context) {
        return std::make_shared<ThresholdCheck>(context.samples, t.key, t.rule, t.hold,
                                                context.max_sample_age);
      });
  kind.sampled_values = [](const config::CheckConfig& check) {
    return std::vector<std::string>{check.As<ThresholdSettings>()->value};
  };
  return kind;
}

}  // namespace

VITALS_REGISTER_CHECK_KIND(threshold, ThresholdKind());

}  // namespace vitals::health
