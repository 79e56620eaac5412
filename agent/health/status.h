#pragma once
// HealthStatus: ordered worst-first so that the worst of several statuses is
// their minimum (a report with no entries is Healthy).

#include <cstdint>
#include <optional>
#include <string_view>

namespace vitals::health {

enum class HealthStatus : std::uint8_t { kUnhealthy = 0, kDegraded = 1, kHealthy = 2 };

inline constexpr HealthStatus kAllStatuses[] = {HealthStatus::kUnhealthy, HealthStatus::kDegraded,
                                                HealthStatus::kHealthy};

// "Unhealthy", "Degraded", "Healthy": the spelling of the JSON report and of
// the `status` label (ASP.NET HealthChecks uses the same words).
constexpr std::string_view StatusName(HealthStatus status) {
  switch (status) {
    case HealthStatus::kUnhealthy: return "Unhealthy";
    case HealthStatus::kDegraded: return "Degraded";
    case HealthStatus::kHealthy: return "Healthy";
  }
  return "Unhealthy";
}

// Accepts the config spelling ("unhealthy") and the report spelling ("Unhealthy").
std::optional<HealthStatus> ParseStatus(std::string_view text);

constexpr HealthStatus Worst(HealthStatus a, HealthStatus b) { return a < b ? a : b; }

}  // namespace vitals::health
