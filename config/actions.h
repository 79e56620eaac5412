#pragma once
// Self-healing keys of a check (issue 6): its `actions` list and the keys of
// the `heartbeat` kind. Read with reader.h from config/checks.cpp; plain data,
// agent/actions and agent/health/heartbeat build the running parts.
//
//   {"name": "worker", "kind": "heartbeat", "period": "1s", "grace": "500ms",
//    "token": "${WORKER_TOKEN}", "failures_before_unhealthy": 2,
//    "actions": [
//      {"type": "signal", "group": "worker", "signal": "TERM", "grace": "5s"},
//      {"type": "exec", "command": ["/usr/local/bin/start-worker"], "timeout": "10s",
//       "backoff": "10s", "max_backoff": "5m", "limit_burst": 3, "limit_interval": "10m",
//       "reset_after": "10m"},
//      {"type": "restart", "unit": "worker.service"}]}
//
// Limits, per action, in the manner of systemd's StartLimitBurst /
// StartLimitIntervalSec and the kubelet's crash-loop back-off: see
// agent/actions/limiter.h for the timeline.

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/cron.h"
#include "config/reader.h"
#include "config/time_zone.h"

namespace vitals::config {

struct CheckConfig;
struct KindReadContext;

struct ActionConfig {
  std::string pointer;  // "/checks/2/actions/0"
  std::string type;     // "restart", "exec" or "signal"
  std::string name;     // the `action` label; default: the type (unique per check)
  // restart: a systemd unit, restarted with systemctl
  std::string unit;
  // exec: argv, no shell
  std::vector<std::string> command;
  // exec and restart: the command is killed (its whole process tree) after it
  std::chrono::milliseconds timeout{30'000};
  // signal: the processes of a declared process group
  std::string group;
  int signal = 15;            // SIGTERM
  std::string signal_name = "TERM";
  std::chrono::milliseconds grace{10'000};  // then SIGKILL to the survivors
  // limits
  std::chrono::milliseconds backoff{10'000};      // before the 2nd run; doubles after
  std::chrono::milliseconds max_backoff{300'000};
  std::uint32_t limit_burst = 3;                  // runs per limit_interval
  std::chrono::milliseconds limit_interval{600'000};
  std::chrono::milliseconds reset_after{600'000};  // Healthy this long: counters reset
};

// The heartbeat kind's settings: a beat is expected every `period`, or at the
// runs of a cron `schedule` in the time zone `tz` (config/cron.h), and may be
// `grace` late.
//
//   {"name": "nightly", "kind": "heartbeat", "schedule": "0 2 * * *",
//    "tz": "Europe/Berlin", "grace": "30m", "token": "${NIGHTLY_TOKEN}"}
struct HeartbeatConfig : KindSettings {
  std::chrono::milliseconds period{0};  // a beat every period (0 with a schedule)
  std::optional<CronSchedule> schedule;
  std::string schedule_text;            // as written, for messages
  std::optional<TimeZone> tz;           // with a schedule: "tz", default the host's zone
  std::chrono::milliseconds grace{0};   // default: the period, or 1h with a schedule
  std::string token;  // X-Vitals-Token, /ping/<token>; unique across checks; never printed
};

// Minimum token length: a heartbeat token is a shared secret, not a name.
inline constexpr std::size_t kMinTokenLength = 16;

// Reads r["actions"] (absent: none). `declared` are the process groups with
// a fixed name, which `signal` may name.
std::vector<ActionConfig> ReadActions(const Reader& r, const std::set<std::string>& declared);

// The keys of a heartbeat check, besides those every check has.
inline constexpr std::string_view kHeartbeatKeys[] = {"period", "schedule", "tz", "grace",
                                                       "token"};

// Reads the keys of a heartbeat check; sets the check's scheduling defaults
// when they are not given: evaluated every period/5 (100 ms to 1 s; 1 s with
// a schedule), no jitter. A token already used by one of `context.earlier`
// is refused: /ping/<token> finds its check by the token alone.
HeartbeatConfig ReadHeartbeat(const Reader& r, CheckConfig* check,
                              const KindReadContext& context);

// "TERM", "SIGTERM", "15" -> 15; nullopt for anything else.
std::optional<int> ParseSignal(std::string_view text);
// A systemd unit name systemctl accepts as one argument (no option, no glob).
bool IsUnitName(std::string_view unit);

}  // namespace vitals::config
