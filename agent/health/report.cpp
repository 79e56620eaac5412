#include "agent/health/report.h"

#include <algorithm>
#include <cstdio>
#include <ctime>


namespace vitals::health {

int StatusCodes::For(HealthStatus status) const {
  switch (status) {
    case HealthStatus::kHealthy: return healthy;
    case HealthStatus::kDegraded: return degraded;
    case HealthStatus::kUnhealthy: return unhealthy;
  }
  return unhealthy;
}

bool Filter::Matches(const EntrySnapshot& entry) const {
  if (name && entry.name != *name) {
    return false;
  }
  if (tags.empty()) {
    return true;
  }
  return std::any_of(tags.begin(), tags.end(),
                     [&](const std::string& tag) { return entry.tags.count(tag) > 0; });
}

HealthReport BuildReport(const Snapshot& snapshot, const Filter& filter) {
  HealthReport report;
  for (const EntrySnapshot& entry : snapshot.entries) {
    if (!filter.Matches(entry)) {
      continue;
    }
    report.status = Worst(report.status, entry.status);
    report.total_duration = std::max(report.total_duration, entry.duration);
    report.entries.push_back(entry);
  }
  return report;
}

std::string FormatDuration(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", std::chrono::duration<double>(d).count());
  return buf;
}

std::string FormatTime(WallTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return std::string(buf, n);
}

nlohmann::ordered_json ToJson(const HealthReport& report) {
  nlohmann::ordered_json out;
  out["status"] = StatusName(report.status);
  out["totalDuration"] = FormatDuration(report.total_duration);
  nlohmann::ordered_json entries = nlohmann::ordered_json::object();
  for (const EntrySnapshot& entry : report.entries) {
    nlohmann::ordered_json e;
    e["status"] = StatusName(entry.status);
    e["description"] = entry.description;
    e["duration"] = FormatDuration(entry.duration);
    e["tags"] = entry.tags;
    e["data"] = entry.data;
    e["error"] = entry.error ? nlohmann::ordered_json(*entry.error) : nullptr;
    entries[entry.name] = std::move(e);
  }
  out["entries"] = std::move(entries);
  return out;
}

namespace {

using collectors::MetricDesc;
using prometheus::MetricType;

const MetricDesc kStatusDescs[] = {
    {"vitals_check_status",
     "Current status of a check: 1 for the series of its status, 0 for the others.",
     MetricType::Gauge, {"check", "status"}},
    {"vitals_check_duration_seconds", "Duration of the last run of a check.", MetricType::Gauge,
     {"check"}},
    {"vitals_check_last_run_timestamp_seconds",
     "When the last result of a check arrived, in seconds since the epoch.", MetricType::Gauge,
     {"check"}},
    {"vitals_check_transitions_total",
     "Changes of the reported status of a check (after hysteresis).", MetricType::Counter,
     {"check"}},
    {"vitals_check_consecutive_failures", "Results in a row that were not Healthy.",
     MetricType::Gauge, {"check"}},
    {"vitals_check_value", "The value a threshold check evaluated last.", MetricType::Gauge,
     {"check"}},
    {"vitals_health_status",
     "Worst status of the checks in a group (all: every check): 2 Healthy, 1 Degraded, 0 "
     "Unhealthy.",
     MetricType::Gauge, {"group"}},
};
const MetricDesc& kStatus = kStatusDescs[0];
const MetricDesc& kDuration = kStatusDescs[1];
const MetricDesc& kLastRun = kStatusDescs[2];
const MetricDesc& kTransitions = kStatusDescs[3];
const MetricDesc& kFailures = kStatusDescs[4];
const MetricDesc& kValue = kStatusDescs[5];
const MetricDesc& kHealth = kStatusDescs[6];

}  // namespace

std::span<const collectors::MetricDesc> StatusDescs() { return kStatusDescs; }

void AddStatusSeries(const Snapshot& snapshot, const std::vector<std::string>& groups,
                     collectors::MetricSink& out) {
  for (const EntrySnapshot& entry : snapshot.entries) {
    const std::string_view check = entry.name;
    for (HealthStatus s : kAllStatuses) {
      out.Add(kStatus, entry.status == s ? 1 : 0, {check, StatusName(s)});
    }
    out.Add(kDuration, std::chrono::duration<double>(entry.duration).count(), {check});
    if (entry.last_run) {
      out.Add(kLastRun, std::chrono::duration<double>(entry.last_run->time_since_epoch()).count(),
              {check});
    }
    out.Add(kTransitions, static_cast<double>(entry.transitions), {check});
    out.Add(kFailures, entry.consecutive_failures, {check});
    if (entry.value) {
      out.Add(kValue, *entry.value, {check});
    }
  }
  out.Add(kHealth, static_cast<double>(BuildReport(snapshot).status), {"all"});
  std::vector<std::string> sorted = groups;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const std::string& group : sorted) {
    Filter filter;
    filter.tags = {group};
    out.Add(kHealth, static_cast<double>(BuildReport(snapshot, filter).status), {group});
  }
}

}  // namespace vitals::health
