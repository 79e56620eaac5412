#include "agent/health/threshold.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

using namespace vitals::health;
using namespace std::chrono_literals;

namespace {

HealthStatus FromChar(char c) {
  switch (c) {
    case 'H': return HealthStatus::kHealthy;
    case 'D': return HealthStatus::kDegraded;
    default: return HealthStatus::kUnhealthy;
  }
}

char ToChar(HealthStatus s) { return StatusName(s)[0]; }

}  // namespace

TEST_CASE("Evaluate: levels in either direction, reaching a level counts", "[health]") {
  struct Row {
    ValueRule rule;
    double value;
    HealthStatus want;
  };
  const ValueRule above{0.8, 0.9, Direction::kAbove};
  const ValueRule below{0.2, 0.1, Direction::kBelow};
  const ValueRule only_unhealthy{std::nullopt, 100, Direction::kAbove};
  const ValueRule only_degraded{5, std::nullopt, Direction::kBelow};
  auto row = GENERATE_COPY(values<Row>({
      {above, 0.5, HealthStatus::kHealthy},
      {above, 0.8, HealthStatus::kDegraded},
      {above, 0.85, HealthStatus::kDegraded},
      {above, 0.9, HealthStatus::kUnhealthy},
      {above, 7, HealthStatus::kUnhealthy},
      {below, 0.5, HealthStatus::kHealthy},
      {below, 0.2, HealthStatus::kDegraded},
      {below, 0.1, HealthStatus::kUnhealthy},
      {below, -1, HealthStatus::kUnhealthy},
      {only_unhealthy, 99.9, HealthStatus::kHealthy},
      {only_unhealthy, 100, HealthStatus::kUnhealthy},
      {only_degraded, 5, HealthStatus::kDegraded},
      {only_degraded, 0, HealthStatus::kDegraded},
      {only_degraded, 6, HealthStatus::kHealthy},
      {above, std::numeric_limits<double>::quiet_NaN(), HealthStatus::kUnhealthy},
      {above, std::numeric_limits<double>::infinity(), HealthStatus::kUnhealthy},
  }));
  CAPTURE(row.value, row.rule.direction == Direction::kAbove);
  CHECK(Evaluate(row.rule, row.value) == row.want);
}

TEST_CASE("Explain says which level was reached", "[health]") {
  const ValueRule above{0.8, 0.9, Direction::kAbove};
  CHECK(Explain(above, 0.95) == "0.95 is at or above the unhealthy level 0.9");
  CHECK(Explain(above, 0.8) == "0.8 is at or above the degraded level 0.8");
  CHECK(Explain(above, 0.5) == "0.5 is below the degraded level 0.8");
  const ValueRule below{std::nullopt, 2, Direction::kBelow};
  CHECK(Explain(below, 3) == "3 is above the unhealthy level 2");
  CHECK(Explain(below, 1) == "1 is at or below the unhealthy level 2");
}

TEST_CASE("Hysteresis timelines: first result at once, N in a row to change", "[health]") {
  struct Row {
    std::uint32_t failures;
    std::uint32_t successes;
    std::string results;
    std::string reported;
  };
  auto row = GENERATE(values<Row>({
      // first result applies at once, whatever it is
      {3, 2, "U", "U"},
      {3, 2, "D", "D"},
      {3, 2, "H", "H"},
      // N worse in a row; an equal result resets the count
      {3, 2, "HUUHUUUDHH", "HHHHHHUUHH"},
      {3, 2, "HUUU", "HHHU"},
      {3, 2, "HDUD", "HHHD"},  // D and U are both worse than H: the latest applies
      {1, 1, "HUHDH", "HUHDH"},  // 1/1: no smoothing
      {2, 3, "UHHUHHH", "UUUUUUH"},  // a failure resets the successes
      {2, 2, "HDHDH", "HHHHH"},  // flapping never moves it
      {2, 2, "UDDHH", "UUDDH"},  // D is better than U: moves to D, then H needs 2 more
  }));
  CAPTURE(row.failures, row.successes, row.results);
  HysteresisState state;
  std::string reported;
  for (char c : row.results) {
    state.Apply(FromChar(c), Hysteresis{row.failures, row.successes});
    reported += ToChar(*state.status());
  }
  CHECK(reported == row.reported);
}

TEST_CASE("Hysteresis reports a change only when the status moves", "[health]") {
  HysteresisState state;
  const Hysteresis h{2, 1};
  CHECK_FALSE(state.Apply(HealthStatus::kHealthy, h));  // the first result is not a change
  CHECK_FALSE(state.Apply(HealthStatus::kUnhealthy, h));
  CHECK(state.failures_in_row() == 1);
  CHECK(state.Apply(HealthStatus::kUnhealthy, h));
  CHECK(state.failures_in_row() == 0);
  CHECK(state.Apply(HealthStatus::kHealthy, h));
}

TEST_CASE("ForFilter timelines: a bad status must last `for`", "[health]") {
  struct Step {
    int t;  // seconds
    char raw;
    char want;
  };
  struct Row {
    int hold;
    std::vector<Step> steps;
  };
  auto row = GENERATE(values<Row>({
      {0, {{0, 'U', 'U'}, {1, 'D', 'D'}, {2, 'H', 'H'}}},  // no `for`: raw passes through
      {30, {{0, 'D', 'H'}, {20, 'U', 'H'}, {30, 'U', 'D'}, {50, 'U', 'U'}, {55, 'H', 'H'}}},
      {10, {{0, 'U', 'H'}, {5, 'H', 'H'}, {9, 'U', 'H'}, {18, 'U', 'H'}, {19, 'U', 'U'}}},
      {10, {{0, 'U', 'H'}, {10, 'U', 'U'}, {11, 'D', 'D'}, {12, 'U', 'D'}}},  // D held since 0
      {10, {{0, 'D', 'H'}, {10, 'D', 'D'}, {11, 'H', 'H'}, {12, 'D', 'H'}}},
  }));
  CAPTURE(row.hold);
  ForFilter filter;
  const SteadyTime t0{std::chrono::hours(1)};
  for (const Step& step : row.steps) {
    CAPTURE(step.t, step.raw);
    CHECK(ToChar(filter.Apply(FromChar(step.raw), t0 + std::chrono::seconds(step.t),
                              std::chrono::seconds(row.hold))) == step.want);
  }
}

TEST_CASE("ForFilter says how long a status has been held back", "[health]") {
  ForFilter filter;
  const SteadyTime t0{std::chrono::hours(1)};
  filter.Apply(HealthStatus::kDegraded, t0, 30s);
  REQUIRE(filter.PendingFor(t0 + 12s).has_value());
  CHECK(*filter.PendingFor(t0 + 12s) == Duration(12s));
  filter.Apply(HealthStatus::kHealthy, t0 + 13s, 30s);
  CHECK_FALSE(filter.PendingFor(t0 + 13s).has_value());
}

TEST_CASE("ParseStatus accepts both spellings and nothing else", "[health]") {
  CHECK(ParseStatus("unhealthy") == HealthStatus::kUnhealthy);
  CHECK(ParseStatus("Degraded") == HealthStatus::kDegraded);
  CHECK(ParseStatus("healthy") == HealthStatus::kHealthy);
  CHECK_FALSE(ParseStatus("HEALTHY").has_value());
  CHECK_FALSE(ParseStatus("ok").has_value());
  CHECK_FALSE(ParseStatus("").has_value());
}
