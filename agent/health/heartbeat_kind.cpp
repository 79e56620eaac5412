// The `heartbeat` kind's registration: its keys and reader are
// config::ReadHeartbeat's (config/actions.h: a period, or a cron schedule
// with a time zone; tokens unique across checks), its checks live in the
// HeartbeatRegistry (heartbeat.h), which the HTTP handler feeds.

#include "agent/health/heartbeat.h"
#include "agent/health/kind.h"

namespace vitals::health {

namespace {

// A cron schedule becomes the function that gives its next run, in the
// check's time zone.
HeartbeatSpec MakeHeartbeatSpec(const config::HeartbeatConfig& s,
                                const config::CheckConfig& check) {
  HeartbeatSpec spec{s.period, s.grace, check.failures_before_unhealthy, s.token};
  if (s.schedule && s.tz) {
    spec.schedule = [cron = *s.schedule, zone = *s.tz](WallTime after) {
      return config::NextRun(cron, zone, after);
    };
    spec.schedule_text = s.schedule_text + " " + s.tz->name();
  }
  return spec;
}

CheckKind HeartbeatKind() {
  return MakeKind<config::HeartbeatConfig>(
      "heartbeat", {std::begin(config::kHeartbeatKeys), std::end(config::kHeartbeatKeys)},
      [](const config::Reader& r, config::CheckConfig& check,
         const config::KindReadContext& context) {
        return config::ReadHeartbeat(r, &check, context);
      },
      [](const config::HeartbeatConfig& s, const config::CheckConfig& check,
         KindContext& context) {
        // Pushed, not sampled; the check counts its misses itself, so one
        // result moves it (heartbeat.h).
        context.spec.hysteresis = {1, 1};
        return context.heartbeats->Prepare(check.name, check.definition,
                                           MakeHeartbeatSpec(s, check));
      });
}

}  // namespace

VITALS_REGISTER_CHECK_KIND(heartbeat, HeartbeatKind());

}  // namespace vitals::health
