// The `heartbeat` kind's registration: its keys and reader are
// config::ReadHeartbeat's (config/actions.h), its checks live in the
// HeartbeatRegistry (heartbeat.h), which the HTTP handler feeds.

#include "agent/health/heartbeat.h"
#include "agent/health/kind.h"

namespace vitals::health {

namespace {

CheckKind HeartbeatKind() {
  return MakeKind<config::HeartbeatConfig>(
      "heartbeat", {std::begin(config::kHeartbeatKeys), std::end(config::kHeartbeatKeys)},
      [](const config::Reader& r, config::CheckConfig& check, const config::KindReadContext&) {
        return config::ReadHeartbeat(r, &check);
      },
      [](const config::HeartbeatConfig& s, const config::CheckConfig& check,
         KindContext& context) {
        // Pushed, not sampled; the check counts its misses itself, so one
        // result moves it (heartbeat.h).
        context.spec.hysteresis = {1, 1};
        return context.heartbeats->Prepare(
            check.name, check.definition,
            HeartbeatSpec{s.period, s.grace, check.failures_before_unhealthy, s.token});
      });
}

}  // namespace

VITALS_REGISTER_CHECK_KIND(heartbeat, HeartbeatKind());

}  // namespace vitals::health
