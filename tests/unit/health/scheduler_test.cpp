#include "agent/health/scheduler.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

using namespace vitals::health;
using namespace std::chrono_literals;

namespace {

// A scheduler on a ManualClock, driven by Tick() from the test.
struct Rig {
  explicit Rig(std::size_t max_concurrency = 4) {
    Scheduler::Options options;
    options.max_concurrency = max_concurrency;
    options.clock = clock;
    options.seed = 1;
    scheduler = std::make_unique<Scheduler>(options);
  }
  // Moves time on, runs what is due and waits for the runs to finish.
  void Step(Duration by) {
    clock->Advance(by);
    scheduler->Tick();
    REQUIRE(scheduler->WaitIdleForTest(5000ms));
  }
  EntrySnapshot Get(const std::string& name) const {
    for (auto& e : scheduler->snapshot().entries) {
      if (e.name == name) {
        return e;
      }
    }
    FAIL("no entry " << name);
    return {};
  }

  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::unique_ptr<Scheduler> scheduler;
};

CheckSpec Spec(std::string name, std::function<CheckResult(const CheckContext&)> fn) {
  CheckSpec spec;
  spec.name = std::move(name);
  spec.kind = "test";
  spec.interval = 10s;
  spec.timeout = 2s;
  spec.jitter = Duration::zero();
  spec.hysteresis = {1, 1};
  spec.definition = spec.name;
  spec.check = std::make_shared<LambdaCheck>(std::move(fn));
  return spec;
}

// A gate a check blocks on until the test opens it (or a real-time bound).
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  void Open() {
    std::lock_guard lock(mutex);
    open = true;
    cv.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex);
    cv.wait_for(lock, 10s, [&] { return open; });
  }
};

HealthStatus FromChar(char c) {
  return c == 'H' ? HealthStatus::kHealthy
                  : c == 'D' ? HealthStatus::kDegraded : HealthStatus::kUnhealthy;
}

}  // namespace

TEST_CASE("Scheduler: pending until the first result, which applies at once", "[health]") {
  Rig rig;
  std::vector<CheckSpec> specs;
  auto spec = Spec("db", [](const CheckContext&) { return CheckResult::Degraded("slow"); });
  spec.hysteresis = {3, 2};
  specs.push_back(std::move(spec));
  rig.scheduler->Apply(std::move(specs));
  auto pending = rig.Get("db");
  CHECK(pending.pending);
  CHECK(pending.status == HealthStatus::kUnhealthy);
  CHECK(pending.description == "pending: no result yet");

  rig.Step(0s);
  auto first = rig.Get("db");
  CHECK_FALSE(first.pending);
  CHECK(first.status == HealthStatus::kDegraded);
  CHECK(first.description == "slow");
  CHECK(first.consecutive_failures == 1);
  CHECK(first.transitions == 0);
}

TEST_CASE("Scheduler: hysteresis timelines through the scheduler", "[health]") {
  struct Row {
    std::uint32_t failures;
    std::uint32_t successes;
    std::string results;
    std::string reported;
  };
  auto row = GENERATE(values<Row>({
      {3, 2, "HUUUHH", "HHHUUH"},
      {2, 1, "HDHDDH", "HHHHDH"},
      {1, 3, "UHHH", "UUUH"},
  }));
  CAPTURE(row.results);
  Rig rig;
  std::atomic<std::size_t> next{0};
  const std::string results = row.results;
  auto spec = Spec("c", [&next, results](const CheckContext&) {
    return CheckResult::Of(FromChar(results.at(next++)), "scripted");
  });
  spec.hysteresis = {row.failures, row.successes};
  std::vector<CheckSpec> specs;
  specs.push_back(std::move(spec));
  rig.scheduler->Apply(std::move(specs));
  std::string reported;
  for (std::size_t i = 0; i < row.results.size(); ++i) {
    rig.Step(i == 0 ? 0s : 10s);
    reported += StatusName(rig.Get("c").status)[0];
  }
  CHECK(next == row.results.size());
  CHECK(reported == row.reported);
}

TEST_CASE("Scheduler: since when a status holds, and the recent results", "[health]") {
  Rig rig;
  std::atomic<std::size_t> next{0};
  // 25 results: the strip keeps the last kRecentResults (20).
  const std::string results = "HHHHHUUUUUHHHHHHHHHHHHHUU";
  auto spec = Spec("c", [&next, results](const CheckContext&) {
    return CheckResult::Of(FromChar(results.at(next++)), "scripted");
  });
  spec.hysteresis = {2, 1};
  std::vector<CheckSpec> specs;
  specs.push_back(std::move(spec));
  const WallTime created = rig.clock->WallNow();
  rig.scheduler->Apply(std::move(specs));
  CHECK(rig.Get("c").pending);
  CHECK(rig.Get("c").since == created);  // pending: since the check was made
  CHECK(rig.Get("c").recent.empty());
  rig.clock->Advance(5s);
  rig.Step(0s);  // the first result
  CHECK(rig.Get("c").recent.size() == 1);
  const WallTime first = rig.clock->WallNow();
  CHECK(rig.Get("c").since == first);
  for (int i = 1; i < 6; ++i) {
    rig.Step(10s);  // H H H H U: the 1st U is within hysteresis, status stays Healthy
  }
  CHECK(rig.Get("c").status == HealthStatus::kHealthy);
  CHECK(rig.Get("c").since == first);
  rig.Step(10s);  // 2nd U: Unhealthy from now
  CHECK(rig.Get("c").status == HealthStatus::kUnhealthy);
  const WallTime turned = rig.clock->WallNow();
  CHECK(rig.Get("c").since == turned);
  for (std::size_t i = 7; i < results.size(); ++i) {
    rig.Step(10s);
  }
  const auto e = rig.Get("c");
  REQUIRE(e.recent.size() == kRecentResults);
  std::string strip;
  for (const auto& mark : e.recent) {
    strip += StatusName(mark.status)[0];
  }
  CHECK(strip == results.substr(results.size() - kRecentResults));
  CHECK(e.recent.back().at == rig.clock->WallNow());
  CHECK(e.recent.front().at == rig.clock->WallNow() - std::chrono::seconds(10 * 19));
  // Stale: Unhealthy since the moment the last result passed its bound.
  rig.clock->Advance(5min);
  const auto stale = rig.Get("c");
  CHECK(stale.stale);
  CHECK(stale.since == e.recent.back().at + std::chrono::duration_cast<WallTime::duration>(
                                                 Duration(2 * 10s + 2s)));
}

TEST_CASE("Scheduler: runs on its interval, not before", "[health]") {
  Rig rig;
  std::atomic<int> runs{0};
  std::vector<CheckSpec> specs;
  specs.push_back(Spec("c", [&](const CheckContext&) {
    ++runs;
    return CheckResult::Healthy();
  }));
  rig.scheduler->Apply(std::move(specs));
  rig.Step(0s);
  CHECK(runs == 1);
  rig.Step(9s);
  CHECK(runs == 1);
  rig.Step(1s);
  CHECK(runs == 2);
}

TEST_CASE("Scheduler: a result older than the staleness bound is Unhealthy", "[health]") {
  Rig rig;
  std::vector<CheckSpec> specs;
  auto spec = Spec("c", [](const CheckContext&) { return CheckResult::Healthy("fine"); });
  spec.staleness = 25s;
  specs.push_back(std::move(spec));
  rig.scheduler->Apply(std::move(specs));
  rig.Step(0s);
  CHECK(rig.Get("c").status == HealthStatus::kHealthy);
  // Nobody ticks (the scheduler is stuck, say): the last good value ages.
  rig.clock->Advance(25s);
  CHECK(rig.Get("c").status == HealthStatus::kHealthy);
  rig.clock->Advance(1s);
  auto stale = rig.Get("c");
  CHECK(stale.stale);
  CHECK(stale.status == HealthStatus::kUnhealthy);
  CHECK(stale.description == "stale: last result 26s ago, bound 25s");
  rig.Step(0s);  // a fresh result ends it
  CHECK(rig.Get("c").status == HealthStatus::kHealthy);
}

TEST_CASE("Scheduler: the default staleness bound is 2 * interval + timeout", "[health]") {
  CheckSpec spec;
  spec.interval = 10s;
  spec.timeout = 3s;
  CHECK(spec.EffectiveStaleness() == Duration(23s));
  spec.staleness = 5s;
  CHECK(spec.EffectiveStaleness() == Duration(5s));
}

TEST_CASE("Scheduler: a check that throws or returns garbage reports on_error", "[health]") {
  struct Row {
    std::string what;
    std::function<CheckResult(const CheckContext&)> fn;
    HealthStatus on_error;
    std::string description;
  };
  auto row = GENERATE(values<Row>({
      {"exception", [](const CheckContext&) -> CheckResult { throw std::runtime_error("boom"); },
       HealthStatus::kDegraded, "threw: boom"},
      {"check error", [](const CheckContext&) -> CheckResult { throw CheckError("no sample"); },
       HealthStatus::kUnhealthy, "no sample"},
      {"non-std exception", [](const CheckContext&) -> CheckResult { throw 42; },
       HealthStatus::kDegraded, "threw an unknown exception"},
      {"invalid status",
       [](const CheckContext&) {
         return CheckResult::Of(static_cast<HealthStatus>(7), "looks fine");
       },
       HealthStatus::kUnhealthy, "returned an invalid status (7)"},
      {"NaN value",
       [](const CheckContext&) {
         auto r = CheckResult::Healthy("ok");
         r.value = std::nan("");
         return r;
       },
       HealthStatus::kDegraded, "returned a value that is not a finite number"},
  }));
  CAPTURE(row.what);
  Rig rig;
  std::vector<CheckSpec> specs;
  auto spec = Spec("bad", row.fn);
  spec.on_error = row.on_error;
  specs.push_back(std::move(spec));
  specs.push_back(Spec("good", [](const CheckContext&) { return CheckResult::Healthy(); }));
  rig.scheduler->Apply(std::move(specs));
  rig.Step(0s);
  auto bad = rig.Get("bad");
  CHECK(bad.status == row.on_error);
  CHECK(bad.description == row.description);
  REQUIRE(bad.error.has_value());
  CHECK(*bad.error == row.description);
  CHECK_FALSE(bad.value.has_value());
  // Nothing else is affected.
  CHECK(rig.Get("good").status == HealthStatus::kHealthy);
  CHECK_FALSE(rig.Get("good").error.has_value());
}

TEST_CASE("Scheduler: a returned Unhealthy stays Unhealthy whatever on_error says", "[health]") {
  Rig rig;
  std::vector<CheckSpec> specs;
  auto spec = Spec("c", [](const CheckContext&) { return CheckResult::Unhealthy("down"); });
  spec.on_error = HealthStatus::kDegraded;
  specs.push_back(std::move(spec));
  rig.scheduler->Apply(std::move(specs));
  rig.Step(0s);
  CHECK(rig.Get("c").status == HealthStatus::kUnhealthy);
  CHECK_FALSE(rig.Get("c").error.has_value());
}

TEST_CASE("Scheduler: a run past its deadline reports its timeout and is abandoned",
          "[health]") {
  Rig rig(1);  // one slot: the stuck check must not starve the other
  Gate gate;
  std::atomic<int> slow_runs{0};
  std::atomic<int> fast_runs{0};
  std::vector<CheckSpec> specs;
  auto slow = Spec("a_slow", [&](const CheckContext&) {
    if (++slow_runs == 1) {
      gate.Wait();
      return CheckResult::Healthy("late answer");  // discarded
    }
    return CheckResult::Healthy("back");
  });
  slow.on_error = HealthStatus::kDegraded;
  specs.push_back(std::move(slow));
  specs.push_back(Spec("b_fast", [&](const CheckContext&) {
    ++fast_runs;
    return CheckResult::Healthy();
  }));
  rig.scheduler->Apply(std::move(specs));

  rig.clock->Advance(0s);
  rig.scheduler->Tick();  // a_slow starts (due first) and takes the only slot
  // Its thread may begin a moment later on a loaded machine.
  for (int i = 0; i < 1000 && slow_runs == 0; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  CHECK(fast_runs == 0);
  CHECK(rig.Get("a_slow").pending);

  rig.clock->Advance(2s);
  rig.scheduler->Tick();  // at its deadline the run still has its grace
  CHECK(rig.Get("a_slow").pending);
  CHECK(fast_runs == 0);
  rig.clock->Advance(kAbandonGrace);
  rig.scheduler->Tick();  // grace passed: timeout recorded, slot freed, b_fast runs
  REQUIRE(rig.scheduler->WaitIdleForTest(5000ms));
  auto timed_out = rig.Get("a_slow");
  CHECK(timed_out.status == HealthStatus::kDegraded);
  CHECK(timed_out.description == "timed out after 2s");
  CHECK(timed_out.error == std::optional<std::string>("timed out after 2s"));
  CHECK(timed_out.duration == Duration(2s) + kAbandonGrace);
  CHECK(fast_runs == 1);

  // Its interval comes round but the abandoned run is still out: not started again.
  rig.Step(10s);
  CHECK(slow_runs == 1);
  CHECK(fast_runs == 2);

  gate.Open();  // the late answer arrives and is discarded
  std::this_thread::sleep_for(50ms);
  CHECK(rig.Get("a_slow").description == "timed out after 2s");
  // Now it may run again, once the late run's thread has returned (a
  // moment, or longer on a loaded machine: try again until then).
  for (int i = 0; i < 1000 && slow_runs < 2; ++i) {
    rig.Step(0s);
    if (slow_runs < 2) {
      std::this_thread::sleep_for(5ms);
    }
  }
  CHECK(slow_runs == 2);
  CHECK(rig.Get("a_slow").description == "back");
}

TEST_CASE("Scheduler: never more runs at once than max_concurrency", "[health]") {
  Rig rig(2);
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::atomic<int> total{0};
  std::vector<CheckSpec> specs;
  for (int i = 0; i < 6; ++i) {
    specs.push_back(Spec("c" + std::to_string(i), [&](const CheckContext&) {
      int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(20ms);
      --running;
      ++total;
      return CheckResult::Healthy();
    }));
  }
  rig.scheduler->Apply(std::move(specs));
  for (int i = 0; i < 10 && total < 6; ++i) {
    rig.Step(0s);  // each tick starts as many as there are free slots
  }
  CHECK(total == 6);
  CHECK(peak == 2);
}

TEST_CASE("Scheduler: reload keeps the state of unchanged checks only", "[health]") {
  Rig rig;
  auto make = [](std::string name, std::string definition, HealthStatus status) {
    auto spec = Spec(std::move(name), [status](const CheckContext&) {
      return CheckResult::Of(status, "v");
    });
    spec.definition = std::move(definition);
    spec.hysteresis = {3, 3};
    return spec;
  };
  std::vector<CheckSpec> first;
  first.push_back(make("kept", "k1", HealthStatus::kUnhealthy));
  first.push_back(make("changed", "c1", HealthStatus::kUnhealthy));
  first.push_back(make("removed", "r1", HealthStatus::kUnhealthy));
  rig.scheduler->Apply(std::move(first));
  rig.Step(0s);

  std::vector<CheckSpec> second;
  // Same definition: the new Check object (which would say Healthy) is dropped.
  second.push_back(make("kept", "k1", HealthStatus::kHealthy));
  second.push_back(make("changed", "c2", HealthStatus::kHealthy));
  second.push_back(make("added", "a1", HealthStatus::kDegraded));
  auto kept = rig.scheduler->Apply(std::move(second));
  CHECK(kept == std::vector<std::string>{"kept"});

  auto snap = rig.scheduler->snapshot();
  REQUIRE(snap.entries.size() == 3);
  CHECK(snap.entries[0].name == "added");
  CHECK(snap.entries[0].pending);
  CHECK(snap.entries[1].name == "changed");
  CHECK(snap.entries[1].pending);
  CHECK(snap.entries[2].name == "kept");
  CHECK(snap.entries[2].status == HealthStatus::kUnhealthy);
  CHECK(snap.entries[2].consecutive_failures == 1);

  rig.Step(10s);
  CHECK(rig.Get("kept").consecutive_failures == 2);  // history continues
  CHECK(rig.Get("changed").status == HealthStatus::kHealthy);
  CHECK(rig.Get("added").status == HealthStatus::kDegraded);
}

TEST_CASE("Scheduler: transition events for the first result and each change", "[health]") {
  Rig rig;
  std::mutex mutex;
  std::vector<TransitionEvent> events;
  rig.scheduler->Subscribe([&](const TransitionEvent& e) {
    std::lock_guard lock(mutex);
    events.push_back(e);
  });
  std::atomic<int> n{0};
  std::vector<CheckSpec> specs;
  auto spec = Spec("c", [&](const CheckContext&) {
    return ++n <= 1 ? CheckResult::Healthy("up") : CheckResult::Unhealthy("down");
  });
  spec.hysteresis = {2, 1};
  specs.push_back(std::move(spec));
  rig.scheduler->Apply(std::move(specs));
  rig.Step(0s);   // H: first
  rig.Step(10s);  // U: 1 of 2
  rig.Step(10s);  // U: changes
  rig.Step(10s);  // U: no event
  std::lock_guard lock(mutex);
  REQUIRE(events.size() == 2);
  CHECK_FALSE(events[0].from.has_value());
  CHECK(events[0].to == HealthStatus::kHealthy);
  CHECK(events[1].from == HealthStatus::kHealthy);
  CHECK(events[1].to == HealthStatus::kUnhealthy);
  CHECK(events[1].description == "down");
  CHECK(rig.Get("c").transitions == 1);
}

TEST_CASE("Scheduler: in real time a sleeping check times out and Stop is prompt",
          "[health]") {
  Scheduler::Options options;
  options.max_concurrency = 2;
  Scheduler scheduler(options);
  auto spec = Spec("sleeper", [](const CheckContext&) {
    std::this_thread::sleep_for(1500ms);  // ignores its deadline on purpose
    return CheckResult::Healthy();
  });
  spec.timeout = 100ms;
  spec.interval = 1s;
  std::vector<CheckSpec> specs;
  specs.push_back(std::move(spec));
  scheduler.Apply(std::move(specs));
  scheduler.Start();
  const auto start = std::chrono::steady_clock::now();
  std::string description;
  while (std::chrono::steady_clock::now() - start < 1s) {
    description = scheduler.snapshot().entries.at(0).description;
    if (description != "pending: no result yet") {
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  CHECK(description == "timed out after 0.1s");
  CHECK(std::chrono::steady_clock::now() - start < 100ms + kAbandonGrace + 400ms);
  const auto stop_start = std::chrono::steady_clock::now();
  scheduler.Stop();  // the abandoned run does not hold it
  CHECK(std::chrono::steady_clock::now() - stop_start < 500ms);
}

TEST_CASE("Scheduler: deadlines saturate: an interval past the clock's range runs once",
          "[health]") {
  // Wrapped, now + interval was in the past: the check ran on every pass.
  Rig rig;
  std::atomic<int> runs{0};
  auto spec = Spec("far", [&runs](const CheckContext&) {
    ++runs;
    return CheckResult::Healthy("ok");
  });
  spec.interval = Duration::max();
  spec.timeout = Duration::max();
  std::vector<CheckSpec> specs;
  specs.push_back(std::move(spec));
  rig.scheduler->Apply(std::move(specs));
  rig.Step(0s);
  rig.Step(1s);
  rig.Step(24h);
  CHECK(runs == 1);
  const auto e = rig.Get("far");
  CHECK(e.status == HealthStatus::kHealthy);
  CHECK_FALSE(e.stale);  // 2 * interval + timeout saturates too
}

TEST_CASE("Scheduler: WaitForTask returns once the task last set has run", "[health]") {
  Rig rig;
  std::atomic<int> runs{0};
  rig.scheduler->SetTask(10s, [&runs] { ++runs; });
  CHECK_FALSE(rig.scheduler->WaitForTask(0ms));
  rig.Step(0s);
  CHECK(runs == 1);
  CHECK(rig.scheduler->WaitForTask(0ms));
  rig.scheduler->SetTask(10s, [&runs] { runs += 10; });  // a reload: a new task
  CHECK_FALSE(rig.scheduler->WaitForTask(0ms));
  rig.Step(0s);
  CHECK(runs == 11);
  CHECK(rig.scheduler->WaitForTask(0ms));
}
