#include "agent/health/process_check.h"
#include "agent/health/threshold_check.h"

#include <catch2/catch.hpp>
#include <map>

using namespace vitals::health;
using namespace std::chrono_literals;

namespace {

class MapSource final : public ValueSource {
 public:
  std::variant<Sample, std::string> Get(const ValueKey& key) const override {
    auto it = values.find(key.ToString());
    if (it == values.end()) {
      return std::string("no such value");
    }
    return it->second;
  }
  std::map<std::string, std::variant<Sample, std::string>> values;
};

CheckContext At(SteadyTime now) { return CheckContext{now, now + 1s, {}}; }

}  // namespace

TEST_CASE("ThresholdCheck: value, levels and `for` in the result", "[health]") {
  auto source = std::make_shared<MapSource>();
  const SteadyTime t0{std::chrono::hours(1)};
  ThresholdCheck check(source, {"host.cpu_busy_ratio", ""},
                       ValueRule{0.8, 0.9, Direction::kAbove}, 20s, 30s);
  source->values["host.cpu_busy_ratio"] = Sample{0.85, t0};
  auto r = check.Run(At(t0));
  CHECK(r.status == HealthStatus::kHealthy);  // held back by `for`
  CHECK(r.description ==
        "host.cpu_busy_ratio 0.85 is at or above the degraded level 0.8 for 0.000s of 20.000s");
  CHECK(r.value == 0.85);
  CHECK(r.data.dump() ==
        R"({"degraded":0.8,"direction":"above","for":"20.000s","unhealthy":0.9,"value":0.85})");

  source->values["host.cpu_busy_ratio"] = Sample{0.86, t0 + 20s};
  r = check.Run(At(t0 + 20s));
  CHECK(r.status == HealthStatus::kDegraded);
  CHECK(r.description == "host.cpu_busy_ratio 0.86 is at or above the degraded level 0.8");
}

TEST_CASE("ThresholdCheck: missing, stale or NaN samples are errors, not verdicts",
          "[health]") {
  auto source = std::make_shared<MapSource>();
  const SteadyTime t0{std::chrono::hours(1)};
  ThresholdCheck check(source, {"group.open_fds", "web"}, ValueRule{100, 200, Direction::kAbove},
                       0s, 30s);
  CHECK_THROWS_WITH(check.Run(At(t0)), "group.open_fds{group=web}: no such value");
  source->values["group.open_fds{group=web}"] = std::string("needs two samples");
  CHECK_THROWS_WITH(check.Run(At(t0)), "group.open_fds{group=web}: needs two samples");
  source->values["group.open_fds{group=web}"] = Sample{5, t0};
  CHECK_THROWS_AS(check.Run(At(t0 + 31s)), CheckError);
  CHECK_THROWS_WITH(check.Run(At(t0 + 31s)),
                    "group.open_fds{group=web}: the last sample is 31.000s old (limit 30.000s)");
  source->values["group.open_fds{group=web}"] = Sample{std::nan(""), t0};
  CHECK_THROWS_WITH(check.Run(At(t0)), "group.open_fds{group=web}: the sample is not a finite number");
}

TEST_CASE("ProcessCountCheck: between min and max", "[health]") {
  auto source = std::make_shared<MapSource>();
  const SteadyTime t0{std::chrono::hours(1)};
  ProcessCountCheck check(source, "web", 2, 4, 30s);
  struct Row {
    double count;
    HealthStatus want;
    std::string description;
  };
  auto row = GENERATE(values<Row>({
      {0, HealthStatus::kUnhealthy, "group web has 0 processes, fewer than the minimum 2"},
      {1, HealthStatus::kUnhealthy, "group web has 1 process, fewer than the minimum 2"},
      {2, HealthStatus::kHealthy, "group web has 2 processes"},
      {4, HealthStatus::kHealthy, "group web has 4 processes"},
      {5, HealthStatus::kUnhealthy, "group web has 5 processes, more than the maximum 4"},
  }));
  source->values["group.num_procs{group=web}"] = Sample{row.count, t0};
  auto r = check.Run(At(t0));
  CHECK(r.status == row.want);
  CHECK(r.description == row.description);
}
