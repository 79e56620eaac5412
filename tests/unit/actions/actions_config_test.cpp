// The `actions` list and the heartbeat kind's keys: each mistake is one line
// with its JSON pointer; good entries come out as typed values.

#include <catch2/catch.hpp>
#include <csignal>
#include <string>

#include "agent/health/kind.h"
#include "config/config.h"
#include "tests/unit/config_problems.h"

using namespace vitals::config;

namespace {

const EnvLookup kEnv = [](std::string_view name) -> std::optional<std::string> {
  if (name == "HB_TOKEN") {
    return std::string("0123456789abcdef-from-env");
  }
  return std::nullopt;
};

KindTable Kinds() { return vitals::health::CheckKinds::Builtin().table(); }

std::string Doc(const std::string& check) {
  return R"({"process_groups": [{"name": "worker", "comm": "^worker$"}],
             "checks": [)" + check + "]}";
}

const std::string kHb =
    R"("name": "w", "kind": "heartbeat", "period": "1s", "token": "0123456789abcdef")";

std::vector<std::string> Problems(const std::string& text) {
  return vitals::testing::ConfigProblems([&] { Parse(text, "test.json", kEnv, Kinds()); });
}

}  // namespace

TEST_CASE("actions config: every mistake is one line with its pointer", "[actions][config]") {
  struct Row {
    std::string what, check, want;
  };
  auto row = GENERATE_COPY(values<Row>({
      {"unknown type", "{" + kHb + R"(, "actions": [{"type": "reboot"}]})",
       R"(/checks/0/actions/0/type: expected one of restart, exec, signal, got "reboot")"},
      {"unknown key", "{" + kHb + R"(, "actions": [{"type": "exec", "command": ["x"], "comand": 1}]})",
       "/checks/0/actions/0/comand: unknown key"},
      {"exec without command", "{" + kHb + R"(, "actions": [{"type": "exec"}]})",
       "/checks/0/actions/0/command: missing required key"},
      {"exec empty command", "{" + kHb + R"(, "actions": [{"type": "exec", "command": []}]})",
       "/checks/0/actions/0/command: expected a non-empty array: the program and its arguments"},
      {"restart bad unit", "{" + kHb + R"(, "actions": [{"type": "restart", "unit": "--force"}]})",
       R"(/checks/0/actions/0/unit: expected a systemd unit name like "worker.service", got "--force")"},
      {"signal unknown group", "{" + kHb + R"(, "actions": [{"type": "signal", "group": "web"}]})",
       R"(/checks/0/actions/0/group: no process group named "web" (a signal action needs a group declared in /process_groups with a fixed name))"},
      {"signal bad name", "{" + kHb + R"(, "actions": [{"type": "signal", "group": "worker", "signal": "TREM"}]})",
       R"(/checks/0/actions/0/signal: expected one of TERM, INT, HUP, QUIT, KILL, USR1, USR2, CONT, STOP, got "TREM")"},
      {"signal with timeout", "{" + kHb + R"(, "actions": [{"type": "signal", "group": "worker", "timeout": "1s"}]})",
       "/checks/0/actions/0/timeout: only allowed with type exec or restart"},
      {"zero burst", "{" + kHb + R"(, "actions": [{"type": "exec", "command": ["x"], "limit_burst": 0}]})",
       "/checks/0/actions/0/limit_burst: expected an integer from 1 to 1000, got 0"},
      {"max below backoff", "{" + kHb + R"(, "actions": [{"type": "exec", "command": ["x"], "backoff": "1m", "max_backoff": "10s"}]})",
       "/checks/0/actions/0/max_backoff: expected max_backoff (10000ms) at least backoff (60000ms)"},
      {"duplicate names", "{" + kHb + R"(, "actions": [{"type": "exec", "command": ["x"]}, {"type": "exec", "command": ["y"]}]})",
       R"(/checks/0/actions/1/type: duplicate action name "exec" in this check (give each a "name"))"},
      {"heartbeat without token", R"({"name": "w", "kind": "heartbeat", "period": "1s"})",
       "/checks/0/token: missing required key"},
      {"heartbeat short token", R"({"name": "w", "kind": "heartbeat", "period": "1s", "token": "abc"})",
       "/checks/0/token: expected a secret of at least 16 characters, got 3"},
      {"heartbeat without period", R"({"name": "w", "kind": "heartbeat", "token": "0123456789abcdef"})",
       R"(/checks/0: expected "period" (a beat every so often) or "schedule" (cron's five fields, e.g. "0 2 * * *"))"},
      {"heartbeat period and schedule", "{" + kHb + R"(, "schedule": "0 2 * * *"})",
       R"(/checks/0: expected "period" or "schedule", not both)"},
      {"heartbeat bad schedule", R"({"name": "w", "kind": "heartbeat", "schedule": "0 25 * * *", "token": "0123456789abcdef"})",
       R"(/checks/0/schedule: hour field "25": 25 is not within 0-23)"},
      {"heartbeat schedule never", R"({"name": "w", "kind": "heartbeat", "schedule": "0 0 30 2 *", "token": "0123456789abcdef"})",
       R"(/checks/0/schedule: "0 0 30 2 *" never comes (no such date in 28 years))"},
      {"heartbeat unknown tz", R"({"name": "w", "kind": "heartbeat", "schedule": "@daily", "tz": "Mars/Olympus", "token": "0123456789abcdef"})",
       R"(/checks/0/tz: time zone "Mars/Olympus": cannot read /usr/share/zoneinfo/Mars/Olympus: No such file or directory (no such zone, or tzdata is not installed))"},
      {"heartbeat tz without schedule", "{" + kHb + R"(, "tz": "UTC"})",
       R"(/checks/0/tz: expected only with "schedule")"},
      {"heartbeat tiny period", R"({"name": "w", "kind": "heartbeat", "period": "10ms", "token": "0123456789abcdef"})",
       "/checks/0/period: expected a duration of at least 100ms, got 10ms"},
      {"heartbeat threshold key", "{" + kHb + R"(, "degraded": 1})", "/checks/0/degraded: only allowed with kind threshold"},
  }));
  INFO(row.what);
  REQUIRE(Problems(Doc(row.check)) == std::vector<std::string>{row.want});
}

TEST_CASE("actions config: a good entry, with defaults", "[actions][config]") {
  auto config = Parse(Doc("{" + kHb + R"(, "failures_before_unhealthy": 2, "actions": [
      {"type": "signal", "group": "worker", "signal": "SIGINT", "grace": "2s"},
      {"type": "exec", "name": "start", "command": ["/usr/bin/start", "--now"], "timeout": "5s",
       "backoff": "1s", "max_backoff": "8s", "limit_burst": 5, "limit_interval": "1m",
       "reset_after": "30s"},
      {"type": "restart", "unit": "worker@1.service"}]})"),
                      "test.json", kEnv, Kinds());
  const auto& c = config.checks.at(0);
  REQUIRE(c.As<HeartbeatConfig>());
  REQUIRE(c.As<HeartbeatConfig>()->period == std::chrono::seconds(1));
  REQUIRE(c.As<HeartbeatConfig>()->grace == std::chrono::seconds(1));  // default: one period
  REQUIRE(c.interval == std::chrono::milliseconds(200));   // period / 5
  REQUIRE(c.jitter == std::chrono::milliseconds(0));
  REQUIRE(c.timeout <= c.interval);
  REQUIRE(c.action_list.size() == 3);
  REQUIRE(c.action_list[0].signal == SIGINT);
  REQUIRE(c.action_list[0].signal_name == "INT");
  REQUIRE(c.action_list[0].grace == std::chrono::seconds(2));
  REQUIRE(c.action_list[1].name == "start");
  REQUIRE(c.action_list[1].command == std::vector<std::string>{"/usr/bin/start", "--now"});
  REQUIRE(c.action_list[1].limit_burst == 5);
  REQUIRE(c.action_list[1].reset_after == std::chrono::seconds(30));
  REQUIRE(c.action_list[2].name == "restart");
  REQUIRE(c.action_list[2].unit == "worker@1.service");
  REQUIRE(c.action_list[2].limit_burst == 3);  // defaults
  REQUIRE(c.action_list[2].backoff == std::chrono::seconds(10));

  auto env = Parse(Doc(R"({"name": "w", "kind": "heartbeat", "period": "1h", "grace": "5m",
                           "token": "${HB_TOKEN}"})"),
                   "test.json", kEnv, Kinds());
  REQUIRE(env.checks[0].As<HeartbeatConfig>()->token == "0123456789abcdef-from-env");
  REQUIRE(env.checks[0].interval == std::chrono::seconds(1));  // at most 1 s
  REQUIRE(env.checks[0].As<HeartbeatConfig>()->grace == std::chrono::minutes(5));
}

TEST_CASE("actions config: health switches", "[actions][config]") {
  auto off = Parse(Doc("{" + kHb + "}"), "test.json", kEnv, Kinds());
  REQUIRE_FALSE(off.health.debug_state);
  REQUIRE_FALSE(off.health.actions_dry_run);
  auto on = Parse(R"({"health": {"debug_state": true, "actions_dry_run": true}})", "t", kEnv, Kinds());
  REQUIRE(on.health.debug_state);
  REQUIRE(on.health.actions_dry_run);
  REQUIRE(Problems(R"({"health": {"debug_state": "yes"}})") ==
          std::vector<std::string>{R"(/health/debug_state: expected true or false, got "yes")"});
}

TEST_CASE("actions config: a token never appears in a message", "[actions][config]") {
  for (const auto& p : Problems(Doc(R"({"name": "w", "kind": "heartbeat", "period": "1s",
                                        "token": "short-secret"})"))) {
    REQUIRE(p.find("short-secret") == std::string::npos);
  }
}

TEST_CASE("actions config: a heartbeat on a cron schedule in a time zone", "[actions][config]") {
  auto config = Parse(Doc(R"({"name": "nightly", "kind": "heartbeat", "schedule": "0 2 * * *",
                              "tz": "Europe/Berlin", "grace": "30m", "token": "0123456789abcdef"})"),
                      "test.json", kEnv, Kinds());
  const auto& h = *config.checks.at(0).As<HeartbeatConfig>();
  REQUIRE(h.schedule);
  REQUIRE(h.schedule_text == "0 2 * * *");
  REQUIRE(h.tz->name() == "Europe/Berlin");
  REQUIRE(h.grace == std::chrono::minutes(30));
  REQUIRE(config.checks[0].interval == std::chrono::seconds(1));
  // 2024-06-01 00:00 UTC: 02:00 CEST is 00:00 UTC the next day.
  REQUIRE(NextRun(*h.schedule, *h.tz, 1'717'200'000) == 1'717'200'000 + 86'400);
  auto defaults = Parse(Doc(R"({"name": "n", "kind": "heartbeat", "schedule": "@hourly",
                                "token": "0123456789abcdef"})"),
                        "test.json", kEnv, Kinds());
  REQUIRE(defaults.checks[0].As<HeartbeatConfig>()->grace == std::chrono::hours(1));
  REQUIRE(defaults.checks[0].As<HeartbeatConfig>()->tz.has_value());  // the host's zone
}

TEST_CASE("actions config: two heartbeat checks cannot share a token", "[actions][config]") {
  const auto problems = Problems(R"({"checks": [
      {"name": "a", "kind": "heartbeat", "period": "1m", "token": "shared-token-0123456789"},
      {"name": "b", "kind": "heartbeat", "period": "1m", "token": "other-token-0123456789"},
      {"name": "c", "kind": "heartbeat", "period": "1m", "token": "shared-token-0123456789"}]})");
  REQUIRE(problems == std::vector<std::string>{
                          "/checks/2/token: expected a token of its own, got the same as "
                          "/checks/0 (/ping/<token> finds the check by it)"});
}
