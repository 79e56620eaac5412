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
//
// The keys of each kind are read by the kind itself (KindSpec): the table of
// kinds is handed in, so this file knows no kind.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/actions.h"
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
  std::string kind;  // a name from the kinds table handed to ReadChecks
  std::vector<std::string> tags;
  std::chrono::milliseconds interval{15'000};
  std::chrono::milliseconds timeout{2'000};
  std::chrono::milliseconds jitter{1'000};
  std::chrono::milliseconds staleness{0};  // 0: the health default
  std::uint32_t failures_before_unhealthy = 3;
  std::uint32_t successes_before_healthy = 2;
  std::string on_error = "unhealthy";
  std::shared_ptr<const KindSettings> settings;  // what the kind read from its keys
  nlohmann::json actions = nlohmann::json::array();
  std::vector<ActionConfig> action_list;   // `actions`, read by config/actions.cpp
  // The entry's JSON text (keys sorted): equal definitions keep their state
  // across a reload.
  std::string definition;

  // The kind's settings as its own type; null when they are another's.
  template <class T>
  const T* As() const {
    return dynamic_cast<const T*>(settings.get());
  }
};

// What a kind's reader may need besides the check object.
struct KindReadContext {
  const std::vector<ProcessGroupConfig>& groups;  // the "process_groups" section
  const std::set<std::string>& declared;          // the groups with a fixed name
  // The checks read before this one (rules across checks: heartbeat tokens
  // are unique).
  std::span<const CheckConfig> earlier = {};
};

// A check kind as the config sees it: its name, its own keys (any other key
// but those every check has is an error) and their reader. The kinds live in
// the layers that run them (agent/health, agent/probes); the agent hands
// their table to Parse, so adding a kind edits nothing here.
struct KindSpec {
  std::string_view name;
  std::vector<std::string_view> keys;
  // Reads the kind's keys of the check object `r`, reporting every mistake
  // on `r`; what it returns is used only when nothing was reported. It may
  // change the check's common settings where the kind has its own defaults
  // (a heartbeat is evaluated every period / 5).
  std::function<std::shared_ptr<const KindSettings>(const Reader& r, CheckConfig& check,
                                                    const KindReadContext& context)>
      read;
};
using KindTable = std::span<const KindSpec>;

// The keys every check has; a kind's keys come on top.
std::span<const std::string_view> CommonCheckKeys();

void ReadHealth(const Reader& root, HealthConfig* out);
// `groups` are the process groups, to reject a rule on a group that does not
// exist (only groups with a fixed name can be named); `kinds` the check kinds.
void ReadChecks(const Reader& root, const HealthConfig& health,
                const std::vector<ProcessGroupConfig>& groups, KindTable kinds,
                std::vector<CheckConfig>* out);

// For kinds' readers: a number (finite), and "group" naming a process group
// declared with a fixed name (`what` says who needs it in the message).
std::optional<double> ReadNumber(const Reader& r, std::string_view key);
std::string ReadDeclaredGroup(const Reader& r, const KindReadContext& context, std::string_view what);

}  // namespace vitals::config
