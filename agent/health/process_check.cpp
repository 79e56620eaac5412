#include "agent/health/process_check.h"

#include "agent/health/kind.h"
#include "agent/health/threshold.h"
#include "agent/health/threshold_check.h"

namespace vitals::health {

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
  result.data["group"] = key_.instance;
  result.data["processes"] = count;
  result.data["min"] = min_;
  if (max_) {
    result.data["max"] = *max_;
  }
  const std::string have = "group " + key_.instance + " has " + FormatNumber(sample.value) +
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

namespace {

ProcessSettings ReadProcess(const config::Reader& r, config::CheckConfig&,
                            const config::KindReadContext& context) {
  ProcessSettings p;
  p.group = config::ReadDeclaredGroup(r, context, "process check");
  std::optional<std::uint64_t> min = r.Uint("min", 1'000'000);
  p.max = r.Uint("max", 1'000'000);
  for (const auto& g : context.groups) {  // the group's declared bounds are the default
    if (g.name.fixed() && g.name.FixedName() == p.group) {
      min = min ? min : g.min;
      p.max = p.max ? p.max : g.max;
    }
  }
  p.min = min.value_or(1);
  if (p.max && *p.max < p.min) {
    r.FailAt("max", "expected at least min (" + std::to_string(p.min) + "), got " +
                        std::to_string(*p.max));
  }
  return p;
}

CheckKind ProcessKind() {
  CheckKind kind = MakeKind<ProcessSettings>(
      "process", {"group", "min", "max"}, ReadProcess,
      [](const ProcessSettings& p, const config::CheckConfig&, KindContext& context) {
        return std::make_shared<ProcessCountCheck>(context.samples, p.group, p.min, p.max,
                                                   context.max_sample_age);
      });
  kind.sampled_values = [](const config::CheckConfig&) {
    return std::vector<std::string>{"group.num_procs"};
  };
  return kind;
}

}  // namespace

VITALS_REGISTER_CHECK_KIND(process, ProcessKind());

}  // namespace vitals::health
