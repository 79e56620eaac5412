#pragma once
// HealthReport: the worst-wins aggregate of a filtered snapshot, its JSON
// (the shape of ASP.NET HealthChecks' UIResponseWriter, DESIGN.md §2) and the
// vitals_check_* / vitals_health_status families.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/health/scheduler.h"
#include "agent/health/status.h"
#include "collectors/collector.h"

namespace vitals::health {

// HTTP status per report status; the default is the usual 200/200/503.
struct StatusCodes {
  int healthy = 200;
  int degraded = 200;
  int unhealthy = 503;
  int For(HealthStatus status) const;
};

// Which entries a report covers: all, those with any of `tags`, or the one
// named `name`.
struct Filter {
  std::set<std::string> tags;
  std::optional<std::string> name;
  bool Matches(const EntrySnapshot& entry) const;
};

struct HealthReport {
  HealthStatus status = HealthStatus::kHealthy;  // worst entry; no entries is Healthy
  // Checks run concurrently in the background, so the report took as long as
  // its slowest entry (what ASP.NET's totalDuration is for parallel checks).
  Duration total_duration = Duration::zero();
  std::vector<EntrySnapshot> entries;
};

HealthReport BuildReport(const Snapshot& snapshot, const Filter& filter = {});

// "0.012s": seconds with millisecond precision.
std::string FormatDuration(Duration d);
// "2024-05-01 12:00:03 UTC".
std::string FormatTime(WallTime t);

// {"status":"Degraded","totalDuration":"0.012s","entries":{"name":{"status",
// "description","duration","tags","data","error"}}}
nlohmann::ordered_json ToJson(const HealthReport& report);

// vitals_check_status{check,status} (state set), _duration_seconds,
// _last_run_timestamp_seconds, _transitions_total, _consecutive_failures,
// _value; vitals_health_status{group} for "all" and every group in `groups`
// (a group is the set of checks with that tag).
void AddStatusSeries(const Snapshot& snapshot, const std::vector<std::string>& groups,
                     collectors::MetricSink& out);
std::span<const collectors::MetricDesc> StatusDescs();

}  // namespace vitals::health
