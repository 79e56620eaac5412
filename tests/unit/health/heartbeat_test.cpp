// The heartbeat check on a manual clock: misses counted from time stamps,
// /start and /fail, the worker's pid, tokens, the registry on reload, and
// cron schedules in a time zone across its DST changes. Its HTTP handler:
// tests/unit/http/heartbeat_handler_test.cpp.

#include <catch2/catch.hpp>

#include "agent/health/heartbeat.h"
#include "config/cron.h"

using namespace vitals::health;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  HeartbeatCheck check{HeartbeatSpec{500ms, 300ms, 2, "0123456789abcdef"}, clock};
  CheckResult Run() { return check.Run(CheckContext{clock->Now(), clock->Now() + 100ms, {}}); }
};

}  // namespace

TEST_CASE("heartbeat: misses counted from the last beat", "[health][heartbeat]") {
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

TEST_CASE("heartbeat: period + grace saturates instead of wrapping", "[health][heartbeat]") {
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
          "[health][heartbeat]") {
  Fixture f;
  f.clock->Advance(1300ms);
  REQUIRE(f.Run().status == HealthStatus::kUnhealthy);
  REQUIRE(f.Run().description.find("no heartbeat yet") != std::string::npos);
}

TEST_CASE("heartbeat: /start, /fail and the job's duration", "[health][heartbeat]") {
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

TEST_CASE("heartbeat: worker pids count its starts", "[health][heartbeat]") {
  Fixture f;
  f.check.Ping(PingKind::kSuccess, 100);
  f.check.Ping(PingKind::kSuccess, 100);
  f.check.Ping(PingKind::kSuccess, 200);  // restarted
  f.check.Ping(PingKind::kSuccess, std::nullopt);
  REQUIRE(f.check.state().pid == 200);
  REQUIRE(f.check.state().worker_starts == 2);
}

TEST_CASE("heartbeat: tokens compare exactly", "[health][heartbeat]") {
  Fixture f;
  REQUIRE(f.check.TokenMatches("0123456789abcdef"));
  REQUIRE_FALSE(f.check.TokenMatches("0123456789abcde"));
  REQUIRE_FALSE(f.check.TokenMatches("0123456789abcdeF"));
  REQUIRE_FALSE(f.check.TokenMatches(""));
  HeartbeatCheck no_token(HeartbeatSpec{1s, 1s, 1, ""}, f.clock);
  REQUIRE_FALSE(no_token.TokenMatches(""));  // never open
}

TEST_CASE("heartbeat registry: unchanged definitions keep their object", "[health][heartbeat]") {
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

namespace {

// A check on a cron schedule in Europe/Berlin, its clock's wall time moved
// to `start` (seconds since 1970, UTC) first.
struct CronFixture {
  CronFixture(const char* cron, std::uint32_t misses_allowed, std::int64_t start) {
    clock->Advance(std::chrono::seconds(start) - clock->WallNow().time_since_epoch());
    auto schedule = std::get<vitals::config::CronSchedule>(vitals::config::ParseCron(cron));
    auto zone = std::get<vitals::config::TimeZone>(vitals::config::TimeZone::Load("Europe/Berlin"));
    HeartbeatSpec spec{0s, 30min, misses_allowed, "0123456789abcdef"};
    spec.schedule = [schedule, zone](WallTime after) {
      return vitals::config::NextRun(schedule, zone, after);
    };
    spec.schedule_text = std::string(cron) + " Europe/Berlin";
    check = std::make_unique<HeartbeatCheck>(spec, clock);
  }
  // Moves the clock to `at` (UTC seconds) and evaluates the check.
  CheckResult RunAt(std::int64_t at) {
    clock->Advance(std::chrono::seconds(at) - clock->WallNow().time_since_epoch());
    return check->Run(CheckContext{clock->Now(), clock->Now() + 100ms, {}});
  }
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::unique_ptr<HeartbeatCheck> check;
};

constexpr std::int64_t kMar31 = 1'711'843'200;  // 2024-03-31 00:00 UTC: CET -> CEST at 01:00
constexpr std::int64_t kOct27 = 1'729'987'200;  // 2024-10-27 00:00 UTC: CEST -> CET at 01:00

}  // namespace

TEST_CASE("heartbeat: a cron schedule is due at its runs, late after run + grace, across "
          "the spring change",
          "[health][heartbeat]") {
  // "30 2 * * *": 02:30 does not exist on 2024-03-31 in Berlin; cron runs the
  // job at the change, 03:00 CEST = 01:00 UTC, so it is late at 01:30 UTC.
  CronFixture f("30 2 * * *", 1, kMar31 - 12 * 3600);
  auto r = f.RunAt(kMar31 + 3600 - 1);
  INFO(r.description);
  CHECK(r.status == HealthStatus::kHealthy);
  CHECK_THAT(r.description,
             Catch::Contains("next run due 2024-03-31 01:00:00 UTC (30 2 * * * Europe/Berlin)"));
  r = f.RunAt(kMar31 + 3600 + 1800 - 1);
  CHECK(r.status == HealthStatus::kHealthy);
  CHECK_THAT(r.description, Catch::Contains("(late, within the grace)"));
  r = f.RunAt(kMar31 + 3600 + 1800);
  CHECK(r.status == HealthStatus::kUnhealthy);
  CHECK(f.check->state().misses == 1);
  // The job runs late; its beat makes it Healthy, next due 02:30 CEST on April 1.
  f.clock->Advance(5min);
  f.check->Ping(PingKind::kSuccess, std::nullopt);
  r = f.RunAt(kMar31 + 2 * 3600);
  CHECK(r.status == HealthStatus::kHealthy);
  CHECK_THAT(r.description, Catch::Contains("next run due 2024-04-01 00:30:00 UTC"));
}

TEST_CASE("heartbeat: a cron schedule across the autumn change: the repeated hour runs once",
          "[health][heartbeat]") {
  // 2024-10-27 02:30 comes at 00:30 UTC (CEST) and again at 01:30 UTC (CET);
  // a fixed-time job runs at the first only. Two misses allowed.
  CronFixture f("30 2 * * *", 2, kOct27 - 12 * 3600);
  CHECK(f.RunAt(kOct27 + 1800 + 1800 - 1).status == HealthStatus::kHealthy);
  auto r = f.RunAt(kOct27 + 1800 + 1800);  // 00:30 UTC + 30 min: the first miss
  CHECK(r.status == HealthStatus::kDegraded);
  // The second 02:30 (01:30 UTC) is no run: still one miss at 02:00 UTC.
  r = f.RunAt(kOct27 + 2 * 3600 + 600);
  INFO(r.description);
  CHECK(r.status == HealthStatus::kDegraded);
  CHECK(f.check->state().misses == 1);
  CHECK_THAT(r.description, Catch::Contains("next run due 2024-10-28 01:30:00 UTC"));
  // 2024-10-28 02:30 CET = 01:30 UTC; missed at 02:00 UTC.
  CHECK(f.RunAt(kOct27 + 86'400 + 2 * 3600 - 1).status == HealthStatus::kDegraded);
  CHECK(f.RunAt(kOct27 + 86'400 + 2 * 3600).status == HealthStatus::kUnhealthy);
  CHECK(f.check->state().misses == 2);
}
