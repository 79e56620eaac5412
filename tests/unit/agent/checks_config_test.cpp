// The config-error table of issue 4: every kind of mistake in the `checks`
// and `health` sections is one line naming the JSON pointer and what was
// expected.

#include <catch2/catch.hpp>
#include <string>

#include "agent/health/kind.h"
#include "agent/health/process_check.h"
#include "agent/health/threshold_check.h"
#include "config/config.h"
#include "tests/unit/config_problems.h"

using namespace vitals::config;
using vitals::health::CheckKinds;

namespace {

const EnvLookup kNoEnv = [](std::string_view) -> std::optional<std::string> {
  return std::nullopt;
};

// A document with one process group "web" and the given checks/health.
std::string Doc(const std::string& checks, const std::string& health = "") {
  return R"({"process_groups": [{"name": "web", "comm": "^web$", "min": 2, "max": 5},
                                {"name": "{{.Comm}}", "user": "nobody"}],)" +
         (health.empty() ? "" : "\"health\": " + health + ",") + "\"checks\": " + checks + "}";
}

std::vector<std::string> Problems(const std::string& text) {
  return vitals::testing::ConfigProblems(
      [&] { Parse(text, "test.json", kNoEnv, CheckKinds::Builtin().table()); });
}

}  // namespace

TEST_CASE("checks: every mistake is one line with its pointer", "[health][config]") {
  struct Row {
    std::string what;
    std::string checks;
    std::string health;
    std::string want;
  };
  const std::string ok_rule = R"("kind": "threshold", "value": "host.cpu_busy_ratio", "degraded": 0.8)";
  auto row = GENERATE_COPY(values<Row>({
      {"wrong type", R"([{"name": "a", )" + ok_rule + R"(, "interval": 5}])", "",
       R"(/checks/0/interval: expected a duration like "5s", "500ms" or "1m30s", got 5)"},
      {"wrong type (number)", R"([{"name": "a", "kind": "threshold", "value": "host.cpu_busy_ratio", "degraded": "high"}])",
       "", R"(/checks/0/degraded: expected a number, got "high")"},
      {"unknown key", R"([{"name": "a", )" + ok_rule + R"(, "intreval": "5s"}])", "",
       R"(/checks/0/intreval: unknown key)"},
      {"duplicate name",
       R"([{"name": "a", )" + ok_rule + R"(}, {"name": "a", )" + ok_rule + R"(}])", "",
       R"(/checks/1/name: duplicate check name "a")"},
      {"timeout > interval",
       R"([{"name": "a", )" + ok_rule + R"(, "interval": "5s", "timeout": "10s"}])", "",
       R"(/checks/0/timeout: expected at most the interval (5000ms), got 10000ms)"},
      {"unknown kind", R"([{"name": "a", "kind": "thresold"}])", "",
       R"(/checks/0/kind: expected one of dns, exec, file_age, grpc, heartbeat, http, icmp, mysql, postgres, process, redis, tcp, threshold, tls_expiry, got "thresold")"},
      {"unknown tag group", R"([{"name": "a", )" + ok_rule + R"(, "tags": ["live", "reday"]}])",
       "", R"(/checks/0/tags/1: unknown tag group "reday" (known: live, ready and /health/groups))"},
      {"degraded on the wrong side (above)",
       R"([{"name": "a", "kind": "threshold", "value": "host.cpu_busy_ratio", "degraded": 0.9, "unhealthy": 0.8}])",
       "", R"(/checks/0/degraded: expected the degraded level at or below the unhealthy level with direction above, got 0.9 vs 0.8)"},
      {"degraded on the wrong side (below)",
       R"([{"name": "a", "kind": "threshold", "value": "host.memory_available_ratio", "degraded": 0.05, "unhealthy": 0.1}])",
       "", R"(/checks/0/degraded: expected the degraded level at or above the unhealthy level with direction below, got 0.05 vs 0.1)"},
      {"rule on a group that does not exist",
       R"([{"name": "a", "kind": "threshold", "value": "group.open_fds", "group": "db", "unhealthy": 100}])",
       "", R"(/checks/0/group: no process group named "db" (a group value needs a group declared in /process_groups with a fixed name))"},
      {"process check on a group that does not exist",
       R"([{"name": "a", "kind": "process", "group": "db"}])", "",
       R"(/checks/0/group: no process group named "db" (a process check needs a group declared in /process_groups with a fixed name))"},
      {"unknown value", R"([{"name": "a", "kind": "threshold", "value": "host.cpu", "unhealthy": 1}])",
       "", R"(/checks/0/value: expected one of host.cpu_busy_ratio, host.memory_available_ratio, host.load1_per_core, host.load5_per_core, host.load15_per_core, host.filefd_ratio, host.swap_used_ratio, host.filesystem_free_ratio, host.filesystem_free_inodes_ratio, host.filesystem_readonly, host.pressure_cpu_some_avg10_ratio, host.pressure_cpu_full_avg10_ratio, host.pressure_memory_some_avg10_ratio, host.pressure_memory_full_avg10_ratio, host.pressure_io_some_avg10_ratio, host.pressure_io_full_avg10_ratio, host.disk_busy_ratio, host.network_receive_error_ratio, host.network_transmit_error_ratio, host.network_receive_drop_ratio, host.network_transmit_drop_ratio, host.conntrack_usage_ratio, host.clock_offset_seconds, host.clock_synced, group.num_procs, group.cpu_ratio, group.memory_rss_bytes, group.num_threads, group.open_fds, group.worst_fd_ratio, got "host.cpu")"},
      {"per-mount value without a mount", R"([{"name": "a", "kind": "threshold", "value": "host.filesystem_free_ratio", "degraded": 0.1}])",
       "", R"(/checks/0: expected "mountpoint" (one) or "mountpoints" (a regex: the worst match) with host.filesystem_free_ratio, not neither)"},
      {"per-mount value with both", R"([{"name": "a", "kind": "threshold", "value": "host.filesystem_free_ratio", "mountpoint": "/", "mountpoints": "^/", "degraded": 0.1}])",
       "", R"(/checks/0: expected "mountpoint" (one) or "mountpoints" (a regex: the worst match) with host.filesystem_free_ratio, not both)"},
      {"device for a mount value", R"([{"name": "a", "kind": "threshold", "value": "host.filesystem_free_ratio", "mountpoint": "/", "device": "sda", "degraded": 0.1}])",
       "", R"(/checks/0/device: not allowed with host.filesystem_free_ratio (it takes mountpoint or mountpoints))"},
      {"mount for a value without instances", R"([{"name": "a", )" + ok_rule + R"(, "mountpoint": "/"}])",
       "", R"(/checks/0/mountpoint: not allowed with host.cpu_busy_ratio (it has no instances))"},
      {"mount for a group value", R"([{"name": "a", "kind": "threshold", "value": "group.num_procs", "group": "web", "mountpoint": "/", "degraded": 1}])",
       "", R"(/checks/0/mountpoint: not allowed with group.num_procs (it takes group))"},
      {"bad device regex", R"([{"name": "a", "kind": "threshold", "value": "host.disk_busy_ratio", "devices": "^(sd", "degraded": 0.5}])",
       "", R"(/checks/0/devices: expected a regex (RE2), got "^(sd": missing ): ^(sd)"},
      {"empty mount point", R"([{"name": "a", "kind": "threshold", "value": "host.filesystem_readonly", "mountpoint": "", "unhealthy": 1}])",
       "", R"(/checks/0/mountpoint: expected a mountpoint, got "")"},
      {"mount point not a string", R"([{"name": "a", "kind": "threshold", "value": "host.filesystem_readonly", "mountpoint": 5, "unhealthy": 1}])",
       "", R"(/checks/0/mountpoint: expected a string, got 5)"},
      {"no level", R"([{"name": "a", "kind": "threshold", "value": "host.cpu_busy_ratio"}])", "",
       R"(/checks/0: expected a "degraded" or an "unhealthy" level, or both)"},
      {"missing name", R"([{)" + ok_rule + R"(}])", "", R"(/checks/0/name: missing required key)"},
      {"bad on_error", R"([{"name": "a", )" + ok_rule + R"(, "on_error": "ok"}])", "",
       R"(/checks/0/on_error: expected one of unhealthy, degraded, healthy, got "ok")"},
      {"zero failures", R"([{"name": "a", )" + ok_rule + R"(, "failures_before_unhealthy": 0}])",
       "", R"(/checks/0/failures_before_unhealthy: expected an integer from 1 to 1000, got 0)"},
      {"process max below min", R"([{"name": "a", "kind": "process", "group": "web", "min": 3, "max": 2}])",
       "", R"(/checks/0/max: expected at least min (3), got 2)"},
      {"process key on a threshold", R"([{"name": "a", )" + ok_rule + R"(, "min": 1}])", "",
       R"(/checks/0/min: only allowed with kind process)"},
      {"bad status code", "[]", R"({"status_codes": {"unhealthy": 200.5}})",
       R"(/health/status_codes/unhealthy: expected an HTTP status code from 200 to 599, got 200.5)"},
      {"unknown health key", "[]", R"({"group": ["db"]})", R"(/health/group: unknown key)"},
      {"name with a slash", R"([{"name": "a/b", )" + ok_rule + R"(}])", "",
       R"(/checks/0/name: expected a name without '/' (it is a URL path element), got "a/b")"},
  }));
  CAPTURE(row.what);
  const auto problems = Problems(Doc(row.checks, row.health));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == row.want);
}

TEST_CASE("checks: a good section is read with its defaults", "[health][config]") {
  auto config = Parse(Doc(R"([
      {"name": "cpu", "kind": "threshold", "value": "host.cpu_busy_ratio", "degraded": 0.8,
       "unhealthy": 0.95, "for": "1m", "tags": ["live", "db"]},
      {"name": "mem", "kind": "threshold", "value": "host.memory_available_ratio",
       "unhealthy": 0.05, "interval": "5s", "timeout": "1s", "jitter": "0s",
       "failures_before_unhealthy": 1, "successes_before_healthy": 1, "on_error": "degraded"},
      {"name": "web", "kind": "process", "group": "web"}])",
                          R"({"groups": ["db"], "status_codes": {"degraded": 429}})"),
                      "test.json", kNoEnv, CheckKinds::Builtin().table());
  REQUIRE(config.checks.size() == 3);
  const auto& cpu = config.checks[0];
  CHECK(cpu.pointer == "/checks/0");
  const auto* cpu_rule = cpu.As<vitals::health::ThresholdSettings>();
  REQUIRE(cpu_rule);
  CHECK(cpu_rule->rule.direction == vitals::health::Direction::kAbove);
  CHECK(cpu_rule->hold == std::chrono::minutes(1));
  CHECK(cpu.interval == std::chrono::seconds(15));
  CHECK(cpu.tags == std::vector<std::string>{"live", "db"});
  const auto& mem = config.checks[1];
  const auto* mem_rule = mem.As<vitals::health::ThresholdSettings>();
  REQUIRE(mem_rule);
  CHECK(mem_rule->rule.direction == vitals::health::Direction::kBelow);  // lower is worse
  CHECK_FALSE(mem_rule->rule.degraded_at.has_value());
  CHECK(mem.on_error == "degraded");
  const auto& web = config.checks[2];
  const auto* web_count = web.As<vitals::health::ProcessSettings>();
  REQUIRE(web_count);
  CHECK(web_count->min == 2u);  // from the group's declared bounds
  CHECK(web_count->max == 5u);
  CHECK(config.health.degraded_code == 429);
  CHECK(config.health.unhealthy_code == 503);
  CHECK(config.health.groups == std::vector<std::string>{"live", "ready", "db"});
  // Definitions are the entries' JSON: unchanged text, unchanged definition.
  auto again = Parse(Doc(R"([{"name": "cpu", "kind": "threshold", "value": "host.cpu_busy_ratio",
      "unhealthy": 0.95, "degraded": 0.8, "tags": ["live", "db"], "for": "1m"}])",
                         R"({"groups": ["db"]})"),
                     "test.json", kNoEnv, CheckKinds::Builtin().table());
  CHECK(again.checks[0].definition == cpu.definition);
}

TEST_CASE("checks: all problems are listed, not just the first", "[health][config]") {
  auto problems = Problems(Doc(R"([{"name": "a", "kind": "threshold", "value": "host.cpu_busy_ratio",
      "degraded": 0.9, "unhealthy": 0.8, "interval": "1s", "timeout": "2s", "bogus": 1},
      {"name": "a", "kind": "nope"}])"));
  CHECK(problems == std::vector<std::string>{
                        "/checks/0/bogus: unknown key",
                        "/checks/0/degraded: expected the degraded level at or below the "
                        "unhealthy level with direction above, got 0.9 vs 0.8",
                        "/checks/0/timeout: expected at most the interval (1000ms), got 2000ms",
                        "/checks/1/name: duplicate check name \"a\"",
                        "/checks/1/kind: expected one of dns, exec, file_age, grpc, heartbeat, http, icmp, mysql, postgres, process, redis, tcp, threshold, tls_expiry, got \"nope\""});
}

TEST_CASE("checks: durations are at most 365d, with the key's pointer", "[health][config]") {
  // 106751991167d parses (it fits in int64 milliseconds) but not in the
  // nanosecond clocks: it made a check run about 100 times a second.
  CHECK(Problems(R"({"checks": [{"name": "a", "kind": "threshold", "value": "host.load1_per_core",
                     "degraded": 1, "interval": "106751991167d", "timeout": "366d"}]})") ==
        std::vector<std::string>{
            "/checks/0/interval: expected a duration of at most 365d, got \"106751991167d\"",
            "/checks/0/timeout: expected a duration of at most 365d, got \"366d\""});
  CHECK(Problems(R"({"checks": [{"name": "a", "kind": "heartbeat", "period": "365d1ms",
                     "token": "0123456789abcdef"}]})") ==
        std::vector<std::string>{
            "/checks/0/period: expected a duration of at most 365d, got \"365d1ms\""});
  CHECK(Problems(R"({"checks": [{"name": "a", "kind": "threshold", "value": "host.load1_per_core",
                     "degraded": 1, "interval": "365d", "timeout": "365d", "jitter": "365d",
                     "staleness": "365d"}]})") ==
        std::vector<std::string>{"/checks/0/staleness: expected at least interval + timeout "
                                 "(63072000000ms), got 31536000000ms"});
}
