// The heartbeat check on a manual clock: misses counted from time stamps,
// /start and /fail, the worker's pid, tokens, and the registry on reload.

#include <catch2/catch.hpp>

#include "agent/health/heartbeat.h"

using namespace vitals::health;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  HeartbeatCheck check{HeartbeatSpec{500ms, 300ms, 2, "0123456789abcdef"}, clock};
  CheckResult Run() { return check.Run(CheckContext{clock->Now(), clock->Now() + 100ms, {}}); }
};

}  // namespace

TEST_CASE("heartbeat: misses counted from the last beat", "[actions][heartbeat]") {
  Fixture f;
  REQUIRE(f.Run().status == HealthStatus::kHealthy);  // waiting for the first beat
  f.check.Ping(PingKind::kSuccess, 42);
  auto timeline = GENERATE(table<int, HealthStatus, unsigned>({
      {400, HealthStatus::kHealthy, 0},     // within the period
      {700, HealthStatus::kHealthy, 0},     // late, within the grace
      {800, HealthStatus::kDegraded, 1},    // period + grace: 1st miss
      {1299, HealthStatus::kDegraded, 1},
      {1300, HealthStatus::kUnhealthy, 2},  // 2nd miss: failures_before_unhealthy
      {5000, HealthStatus::kUnhealthy, 9},
  }));
  f.clock->Advance(std::chrono::milliseconds(std::get<0>(timeline)));
  auto r = f.Run();
  INFO(r.description);
  REQUIRE(r.status == std::get<1>(timeline));
  REQUIRE(f.check.state().misses == std::get<2>(timeline));
  f.check.Ping(PingKind::kSuccess, 42);  // one beat brings it back
  REQUIRE(f.Run().status == HealthStatus::kHealthy);
}

TEST_CASE("heartbeat: period + grace saturates instead of wrapping", "[actions][heartbeat]") {
  // Wrapped, period + grace was negative: a miss the moment the check ran.
  auto clock = std::make_shared<ManualClock>();
  HeartbeatCheck check{HeartbeatSpec{Duration::max(), Duration::max(), 1, "0123456789abcdef"},
                       clock};
  clock->Advance(1s);
  auto r = check.Run(CheckContext{clock->Now(), clock->Now() + 100ms, {}});
  INFO(r.description);
  CHECK(r.status == HealthStatus::kHealthy);
  CHECK(check.state().misses == 0);
}

TEST_CASE("heartbeat: before the first beat, the check's start is the base",
          "[actions][heartbeat]") {
  Fixture f;
  f.clock->Advance(1300ms);
  REQUIRE(f.Run().status == HealthStatus::kUnhealthy);
  REQUIRE(f.Run().description.find("no heartbeat yet") != std::string::npos);
}

TEST_CASE("heartbeat: /start, /fail and the job's duration", "[actions][heartbeat]") {
  Fixture f;
  f.check.Ping(PingKind::kStart, std::nullopt);
  f.clock->Advance(250ms);
  REQUIRE(f.Run().description.find("a run started 0.25s ago") != std::string::npos);
  f.check.Ping(PingKind::kSuccess, std::nullopt);
  REQUIRE(f.check.state().last_job_seconds == Approx(0.25));
  f.check.Ping(PingKind::kStart, std::nullopt);
  f.clock->Advance(100ms);
  f.check.Ping(PingKind::kFail, std::nullopt);
  auto r = f.Run();
  REQUIRE(r.status == HealthStatus::kUnhealthy);  // at once, no misses needed
  REQUIRE(r.description.find("reported a failure") != std::string::npos);
  REQUIRE(f.check.state().last_job_seconds == Approx(0.1));
  f.check.Ping(PingKind::kSuccess, std::nullopt);
  REQUIRE(f.Run().status == HealthStatus::kHealthy);
  const auto s = f.check.state();
  REQUIRE(s.beats == 2);
  REQUIRE(s.starts == 2);
  REQUIRE(s.fails == 1);
}

TEST_CASE("heartbeat: worker pids count its starts", "[actions][heartbeat]") {
  Fixture f;
  f.check.Ping(PingKind::kSuccess, 100);
  f.check.Ping(PingKind::kSuccess, 100);
  f.check.Ping(PingKind::kSuccess, 200);  // restarted
  f.check.Ping(PingKind::kSuccess, std::nullopt);
  REQUIRE(f.check.state().pid == 200);
  REQUIRE(f.check.state().worker_starts == 2);
}

TEST_CASE("heartbeat: tokens compare exactly", "[actions][heartbeat]") {
  Fixture f;
  REQUIRE(f.check.TokenMatches("0123456789abcdef"));
  REQUIRE_FALSE(f.check.TokenMatches("0123456789abcde"));
  REQUIRE_FALSE(f.check.TokenMatches("0123456789abcdeF"));
  REQUIRE_FALSE(f.check.TokenMatches(""));
  HeartbeatCheck no_token(HeartbeatSpec{1s, 1s, 1, ""}, f.clock);
  REQUIRE_FALSE(no_token.TokenMatches(""));  // never open
}

TEST_CASE("heartbeat registry: unchanged definitions keep their object", "[actions][heartbeat]") {
  auto clock = std::make_shared<ManualClock>();
  HeartbeatRegistry reg(clock);
  auto a = reg.Prepare("a", "def-a", HeartbeatSpec{1s, 1s, 1, "0123456789abcdef"});
  auto b = reg.Prepare("b", "def-b", HeartbeatSpec{1s, 1s, 1, "0123456789abcdef"});
  reg.Commit();
  a->Ping(PingKind::kSuccess, 7);
  REQUIRE(reg.Find("a") == a);
  auto a2 = reg.Prepare("a", "def-a", HeartbeatSpec{1s, 1s, 1, "0123456789abcdef"});
  auto b2 = reg.Prepare("b", "def-b2", HeartbeatSpec{2s, 1s, 1, "0123456789abcdef"});
  reg.Commit();
  REQUIRE(a2 == a);
  REQUIRE(a2->state().beats == 1);
  REQUIRE(b2 != b);
  REQUIRE(reg.Find("c") == nullptr);
  REQUIRE(reg.All().size() == 2);
  reg.Prepare("a", "def-a", HeartbeatSpec{1s, 1s, 1, "0123456789abcdef"});
  reg.Commit();
  REQUIRE(reg.Find("b") == nullptr);  // removed from the config
}
