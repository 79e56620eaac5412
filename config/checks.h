#pragma once
// The `checks` and `health` sections: what the health model runs and how
// /health answers. Read with reader.h; every mistake is one Problem with its
// JSON pointer. The agent turns a CheckConfig into a health::CheckSpec.
//
//   "health": {"groups": ["db"], "status_codes": {"degraded": 200, "unhealthy": 503},
//              "max_concurrency": 4}
//   "checks": [{"name": "cpu", "kind": "threshold", "value": "host.cpu_busy_ratio",
//               "degraded": 0.8, "unhealthy": 0.95, "for": "1m", "tags": ["live"],
//               "interval": "15s", "timeout": "2s", "jitter": "1s",
//               "failures_before_unhealthy": 3, "successes_before_healthy": 2,
//               "on_error": "unhealthy", "staleness": "45s"},
//              {"name": "web-procs", "kind": "process", "group": "nginx", "min": 1, "max": 8}]

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/actions.h"
#include "config/probes.h"
#include "config/process_groups.h"
#include "config/reader.h"

namespace vitals::config {

struct HealthConfig {
  // Tag groups besides the built-in "live" and "ready": /health/<group>
  // serves the checks with that tag, and a check may only use known tags.
  std::vector<std::string> groups = {"live", "ready"};
  int healthy_code = 200;
  int degraded_code = 200;
  int unhealthy_code = 503;
  std::uint64_t max_concurrency = 4;
  bool debug_state = false;      // GET /debug/state (behind basic auth when on)
  bool actions_dry_run = false;  // actions are logged and counted, not run
};

struct CheckConfig {
  std::string pointer;  // "/checks/2", to name the entry in messages
  std::string name;
  std::string kind;  // "threshold", "process" or a probe kind (config/probes.h)
  std::vector<std::string> tags;
  std::chrono::milliseconds interval{15'000};
  std::chrono::milliseconds timeout{2'000};
  std::chrono::milliseconds jitter{1'000};
  std::chrono::milliseconds staleness{0};  // 0: the health default
  std::uint32_t failures_before_unhealthy = 3;
  std::uint32_t successes_before_healthy = 2;
  std::string on_error = "unhealthy";
  // threshold
  std::string value;  // "host.cpu_busy_ratio", "group.open_fds", ...
  std::string group;  // for group.* values and process checks
  std::optional<double> degraded;
  std::optional<double> unhealthy;
  bool above = true;  // direction: higher is worse
  std::chrono::milliseconds hold{0};  // "for"
  // process
  std::optional<std::uint64_t> min;
  std::optional<std::uint64_t> max;
  // probes: the keys of its kind
  std::optional<ProbeConfig> probe;
  nlohmann::json actions = nlohmann::json::array();
  std::vector<ActionConfig> action_list;   // `actions`, read by config/actions.cpp
  std::optional<HeartbeatConfig> heartbeat;  // kind heartbeat
  // The entry's JSON text (keys sorted): equal definitions keep their state
  // across a reload.
  std::string definition;
};

// Values a threshold may read and whether higher is worse by default.
struct ValueInfo {
  std::string_view name;
  bool group;  // needs "group"
  bool above;  // default direction
};
const std::vector<ValueInfo>& KnownValues();

void ReadHealth(const Reader& root, HealthConfig* out);
// `groups` are the process groups, to reject a rule on a group that does not
// exist (only groups with a fixed name can be named).
void ReadChecks(const Reader& root, const HealthConfig& health,
                const std::vector<ProcessGroupConfig>& groups, std::vector<CheckConfig>* out);

}  // namespace vitals::config
