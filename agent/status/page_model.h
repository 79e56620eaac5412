#pragma once
// BuildPage: what the status page shows, from what the agent already keeps
// (the health scheduler's snapshot, the sampler's and a scrape's families,
// the action runner's state). Pure: the caller gathers the inputs, so the
// page is tested on made-up ones and costs nothing when nobody asks.
//
// Sections, in the order a person debugging the host reads them: the
// overall status (big), the checks grouped by their tags, process groups, the
// host, recent actions, and the host collectors with their flags. Nothing secret is in any input: descriptions are
// redacted by the checks, and actions' commands are not shown.

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/health/scheduler.h"
#include "agent/status/host_summary.h"
#include "agent/status/view.h"

namespace vitals::status {

// A process group the config names with a fixed name (it exists before any
// process does), with its bounds.
struct DeclaredGroup {
  std::string name;
  std::optional<std::uint64_t> min, max;
};

// A host collector of the registry, as --help lists it.
struct CollectorEntry {
  std::string name;
  bool enabled = false;
  std::string help;
  std::vector<std::pair<std::string, std::string>> flags;  // name, value in force
};

// What a user may see of the actions section.
enum class ActionsAccess {
  kShown,         // debug_state is on and the user signed in
  kDebugOff,      // debug_state is off
  kNeedsSignIn,   // on, but this request carries no valid credentials
  kNoUsers,       // on, but the web config has no basic_auth_users
};

struct PageInput {
  std::chrono::system_clock::time_point now;
  health::Snapshot snapshot;
  // The health sampler's families and, when there is one, a scrape's.
  const std::vector<prometheus::MetricFamily>* families = nullptr;
  const DiskReading* previous_disks = nullptr;
  const DiskReading* disks = nullptr;
  std::map<std::string, std::string> outputs;  // heartbeat checks' last output, by check
  std::vector<DeclaredGroup> declared_groups;
  std::vector<CollectorEntry> collectors;
  ActionsAccess actions_access = ActionsAccess::kDebugOff;
  nlohmann::json actions;  // ActionRunner::State(), when shown
  std::string host;
  std::string version;
  std::string telemetry_path = "/metrics";
  std::string docs_url;  // the README's URL; empty: no links to it
};

Page BuildPage(const PageInput& in);

// The status as the page writes it: "✔ Healthy", "▲ Degraded", "✖ Unhealthy"
// (a shape as well as a colour), and its CSS classes.
std::string StatusText(health::HealthStatus status);
std::string StatusClass(health::HealthStatus status);

}  // namespace vitals::status
