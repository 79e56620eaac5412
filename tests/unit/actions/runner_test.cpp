// The action runner with real commands, fed transitions by hand: a run per
// transition into Unhealthy and retries while it stays so, the burst limit,
// timeouts and failures counted, dry run.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/actions/runner.h"
#include "agent/health/kind.h"

using namespace vitals;
using namespace std::chrono_literals;

namespace {

const config::EnvLookup kNoEnv = [](std::string_view) -> std::optional<std::string> {
  return std::nullopt;
};

config::Config WithAction(const std::string& action, bool dry_run = false) {
  return config::Parse(
      std::string(R"({"health": {"actions_dry_run": )") + (dry_run ? "true" : "false") +
          R"(}, "checks": [{"name": "c", "kind": "heartbeat", "period": "1s",
               "token": "0123456789abcdef", "actions": [)" + action + "]}]}",
      "test", kNoEnv, health::CheckKinds::Builtin().table());
}

std::vector<prometheus::MetricFamily> Families(const actions::ActionRunner& runner) {
  collectors::MetricSink sink;
  runner.AddSeries(sink);
  return sink.Take();
}

health::TransitionEvent Event(health::HealthStatus to) {
  return {"c", health::HealthStatus::kHealthy, to, "", std::chrono::system_clock::now()};
}

// Polls State() until `pred` holds for action 0 of check "c" (at most 10 s).
nlohmann::json WaitFor(const actions::ActionRunner& runner,
                       const std::function<bool(const nlohmann::json&)>& pred) {
  nlohmann::json a;
  for (int i = 0; i < 500; ++i) {
    a = runner.State()["c"]["actions"][0];
    if (pred(a)) {
      return a;
    }
    std::this_thread::sleep_for(20ms);
  }
  FAIL("condition not reached; last state " << a.dump());
  return a;
}

double Sample(const std::vector<prometheus::MetricFamily>& families, const std::string& name,
              const std::string& result = "") {
  for (const auto& f : families) {
    if (f.name != name) {
      continue;
    }
    for (const auto& m : f.metric) {
      bool match = result.empty();
      for (const auto& l : m.label) {
        match = match || (l.name == "result" && l.value == result);
      }
      if (match) {
        return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
      }
    }
  }
  return -1;
}

procfs::ProcFs Proc() {
  return std::move(*procfs::ProcFs::Open("/proc", procfs::SystemInfo{4096, 100}));
}

}  // namespace

TEST_CASE("runner: retries while Unhealthy, then the burst limit suppresses", "[actions]") {
  char tmpl[] = "/tmp/vitals-runner-XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);
  const std::string file = (dir / "runs").string();
  actions::ActionRunner runner(Proc(), std::make_shared<health::SystemClock>());
  runner.Apply(WithAction(R"({"type": "exec", "command": ["/bin/sh", "-c", "echo run >> )" +
                          file + R"("], "backoff": "100ms", "max_backoff": "100ms",
                          "limit_burst": 2, "limit_interval": "1m"})"));
  auto fams = Families(runner);
  REQUIRE(Sample(fams, "vitals_actions_total", "success") == 0);  // present before any run
  REQUIRE(Sample(fams, "vitals_action_last_timestamp_seconds") == 0);
  runner.OnTransition(Event(health::HealthStatus::kUnhealthy));
  auto a = WaitFor(runner, [](const auto& s) { return s["suppressed"] == 1; });
  REQUIRE(a["results"]["success"] == 2);
  REQUIRE(a["state"] == "suppressed");
  REQUIRE(a["runs_in_window"] == 2);
  std::ifstream in(file);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  REQUIRE(all == "run\nrun\n");
  fams = Families(runner);
  REQUIRE(Sample(fams, "vitals_actions_total", "success") == 2);
  REQUIRE(Sample(fams, "vitals_actions_suppressed_total") == 1);
  REQUIRE(Sample(fams, "vitals_action_last_timestamp_seconds") > 1.6e9);
  // Still suppressed: no third run, no recount until a new trigger.
  std::this_thread::sleep_for(300ms);
  REQUIRE(runner.State()["c"]["actions"][0]["suppressed"] == 1);
  runner.OnTransition(Event(health::HealthStatus::kHealthy));
  runner.OnTransition(Event(health::HealthStatus::kUnhealthy));
  WaitFor(runner, [](const auto& s) { return s["suppressed"] == 2; });
  REQUIRE(runner.State()["c"]["actions"][0]["results"]["success"] == 2);
  runner.Stop();
  std::filesystem::remove_all(dir);
}

TEST_CASE("runner: a hung command is killed at its timeout, a failing one counted", "[actions]") {
  actions::ActionRunner runner(Proc(), std::make_shared<health::SystemClock>());
  SECTION("timeout: the whole tree, a grandchild in its own session included") {
    char tmpl[] = "/tmp/vitals-runner-XXXXXX";
    const std::filesystem::path dir = mkdtemp(tmpl);
    const std::string pid_file = (dir / "pid").string();
    // The grandchild's parent exits at once: it is orphaned, and setsid took
    // it out of the command's process group and session.
    runner.Apply(WithAction(R"({"type": "exec", "command": ["/bin/sh", "-c",
        "(setsid sleep 30 & echo $$! > )" + pid_file + R"(); sleep 30"], "timeout": "300ms"})"));
    const auto started = std::chrono::steady_clock::now();
    runner.OnTransition(Event(health::HealthStatus::kUnhealthy));
    auto a = WaitFor(runner, [](const auto& s) { return s["results"]["timeout"] == 1; });
    REQUIRE(std::chrono::steady_clock::now() - started < 3s);
    REQUIRE(a["last_result"] == "timeout");
    REQUIRE(a["last_detail"].get<std::string>().find("; killed its process tree (3 processes)") !=
            std::string::npos);
    int pid = 0;
    std::ifstream(pid_file) >> pid;
    REQUIRE(pid > 0);
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string line;
      gone = !std::getline(stat, line) || line.find(") Z") != std::string::npos;
      std::this_thread::sleep_for(20ms);
    }
    REQUIRE(gone);
    std::filesystem::remove_all(dir);
  }
  SECTION("failure") {
    runner.Apply(WithAction(R"({"type": "exec", "command": ["/bin/sh", "-c", "echo broken; exit 4"]})"));
    runner.OnTransition(Event(health::HealthStatus::kUnhealthy));
    auto a = WaitFor(runner, [](const auto& s) { return s["results"]["failure"] == 1; });
    REQUIRE(a["last_detail"] == "exit 4; output: broken");
  }
  SECTION("no transition into Unhealthy, no run") {
    runner.Apply(WithAction(R"({"type": "exec", "command": ["true"]})"));
    runner.OnTransition(Event(health::HealthStatus::kDegraded));
    std::this_thread::sleep_for(300ms);
    REQUIRE(runner.State()["c"]["actions"][0]["runs"] == 0);
  }
}

TEST_CASE("runner: dry run logs and counts, runs nothing", "[actions]") {
  char tmpl[] = "/tmp/vitals-runner-XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);
  const std::string file = (dir / "touched").string();
  actions::ActionRunner runner(Proc(), std::make_shared<health::SystemClock>());
  runner.Apply(WithAction(R"({"type": "exec", "command": ["touch", ")" + file + R"("]})", true));
  runner.OnTransition(Event(health::HealthStatus::kUnhealthy));
  auto a = WaitFor(runner, [](const auto& s) { return s["results"]["dry_run"] == 1; });
  REQUIRE(a["last_detail"] == "would run: touch " + file);
  REQUIRE_FALSE(std::filesystem::exists(file));
  REQUIRE(runner.State()["c"]["dry_run"] == true);
  std::filesystem::remove_all(dir);
}
