#pragma once
// The check contract (the shape of Microsoft's HealthChecks): a Check runs on
// the scheduler, never on a scrape or a /health request, and returns a
// CheckResult. It may throw; the scheduler turns an exception, a timeout or a
// result it cannot use into the check's `on_error` status with the reason in
// the description. A *returned* Unhealthy stays Unhealthy whatever `on_error`
// says (dotnet/extensions#2212 was about the opposite surprise).

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <utility>

#include "agent/health/clock.h"
#include "agent/health/status.h"

namespace vitals::health {

struct CheckResult {
  HealthStatus status = HealthStatus::kHealthy;
  std::string description;
  nlohmann::json data = nlohmann::json::object();  // free-form details for the report
  std::optional<double> value;  // what a threshold rule saw; exported as vitals_check_value

  static CheckResult Of(HealthStatus status, std::string description) {
    CheckResult r;
    r.status = status;
    r.description = std::move(description);
    return r;
  }
  static CheckResult Healthy(std::string description = {}) {
    return Of(HealthStatus::kHealthy, std::move(description));
  }
  static CheckResult Degraded(std::string description) {
    return Of(HealthStatus::kDegraded, std::move(description));
  }
  static CheckResult Unhealthy(std::string description) {
    return Of(HealthStatus::kUnhealthy, std::move(description));
  }
};

struct CheckContext {
  SteadyTime now;       // when the run started, on the scheduler's clock
  SteadyTime deadline;  // now + timeout; a check that blocks should give up by then
  std::stop_token stop;  // requested when the agent shuts down
};

class Check {
 public:
  virtual ~Check() = default;
  // Runs once. The scheduler never runs one Check object twice at the same
  // time, so implementations may keep state between runs without a lock.
  virtual CheckResult Run(const CheckContext& ctx) = 0;
};

// A check from a function: for tests and for small built-in checks.
class LambdaCheck final : public Check {
 public:
  explicit LambdaCheck(std::function<CheckResult(const CheckContext&)> fn) : fn_(std::move(fn)) {}
  CheckResult Run(const CheckContext& ctx) override { return fn_(ctx); }

 private:
  std::function<CheckResult(const CheckContext&)> fn_;
};

// Thrown by checks for a failure that is not a health verdict (a value that
// cannot be read, a sample that is too old): the scheduler applies on_error.
class CheckError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Hysteresis counts (Envoy's unhealthy_threshold / healthy_threshold): the
// first result applies at once; after that the reported status moves only
// after this many results in a row are worse (or better) than it.
struct Hysteresis {
  std::uint32_t failures_before_unhealthy = 3;
  std::uint32_t successes_before_healthy = 2;
};

// Everything the scheduler needs to run one check.
struct CheckSpec {
  std::string name;
  std::string kind;  // "threshold", "process", ... (for logs and /debug)
  std::set<std::string> tags;
  Duration interval = std::chrono::seconds(15);
  Duration timeout = std::chrono::seconds(2);
  Duration jitter = std::chrono::seconds(1);
  // A result older than this reports Unhealthy ("stale"); zero means the
  // default, 2 * interval + timeout (one missed run is tolerated).
  Duration staleness = Duration::zero();
  Hysteresis hysteresis;
  HealthStatus on_error = HealthStatus::kUnhealthy;
  // Canonical text of the definition. On reload a check whose name and
  // definition are both unchanged keeps its state, history and Check object.
  std::string definition;
  nlohmann::json actions = nlohmann::json::array();  // run by a later issue
  std::shared_ptr<Check> check;

  Duration EffectiveStaleness() const {
    return staleness > Duration::zero() ? staleness : DefaultStaleness(interval, timeout);
  }
  // 2 * interval + timeout: how old a result (or a threshold's sample) may be.
  static Duration DefaultStaleness(Duration interval, Duration timeout) {
    return SaturatingAdd(SaturatingAdd(interval, interval), timeout);
  }
};

}  // namespace vitals::health
