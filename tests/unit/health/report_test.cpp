#include "agent/health/report.h"

#include <catch2/catch.hpp>
#include <sstream>

#include <prometheus/text_serializer.h>

using namespace vitals::health;
using namespace std::chrono_literals;

namespace {

EntrySnapshot Entry(std::string name, HealthStatus status, std::set<std::string> tags = {}) {
  EntrySnapshot e;
  e.name = std::move(name);
  e.status = status;
  e.tags = std::move(tags);
  e.description = "d-" + e.name;
  return e;
}

}  // namespace

TEST_CASE("BuildReport: the worst entry wins, no entries is Healthy", "[health]") {
  using S = HealthStatus;
  struct Row {
    std::vector<S> statuses;
    S want;
  };
  auto row = GENERATE(values<Row>({
      {{}, S::kHealthy},
      {{S::kHealthy}, S::kHealthy},
      {{S::kHealthy, S::kDegraded}, S::kDegraded},
      {{S::kDegraded, S::kUnhealthy, S::kHealthy}, S::kUnhealthy},
      {{S::kUnhealthy}, S::kUnhealthy},
  }));
  Snapshot snap;
  int i = 0;
  for (S s : row.statuses) {
    snap.entries.push_back(Entry("c" + std::to_string(i++), s));
  }
  CHECK(BuildReport(snap).status == row.want);
}

TEST_CASE("BuildReport filters by any of the tags, or by name", "[health]") {
  Snapshot snap;
  snap.entries.push_back(Entry("db", HealthStatus::kUnhealthy, {"ready"}));
  snap.entries.push_back(Entry("disk", HealthStatus::kDegraded, {"live", "ready"}));
  snap.entries.push_back(Entry("cpu", HealthStatus::kHealthy, {"live"}));

  Filter live;
  live.tags = {"live"};
  auto r = BuildReport(snap, live);
  CHECK(r.status == HealthStatus::kDegraded);
  CHECK(r.entries.size() == 2);

  Filter either;
  either.tags = {"live", "ready"};
  CHECK(BuildReport(snap, either).entries.size() == 3);

  Filter none;
  none.tags = {"nope"};
  CHECK(BuildReport(snap, none).entries.empty());
  CHECK(BuildReport(snap, none).status == HealthStatus::kHealthy);

  Filter by_name;
  by_name.name = "cpu";
  auto one = BuildReport(snap, by_name);
  REQUIRE(one.entries.size() == 1);
  CHECK(one.entries[0].name == "cpu");
}

TEST_CASE("ToJson has the HealthChecks shape", "[health]") {
  Snapshot snap;
  auto db = Entry("db", HealthStatus::kUnhealthy, {"ready", "db"});
  db.duration = 4ms;
  db.error = "timed out after 2s";
  db.description = "timed out after 2s";
  auto cpu = Entry("cpu", HealthStatus::kDegraded, {"live"});
  cpu.duration = 12ms;
  cpu.data["value"] = 0.93;
  cpu.description = "host.cpu_busy_ratio 0.93 is at or above the degraded level 0.9";
  snap.entries = {cpu, db};
  const auto json = ToJson(BuildReport(snap));
  CHECK(json.dump() ==
        R"({"status":"Unhealthy","totalDuration":"0.012s","entries":{)"
        R"("cpu":{"status":"Degraded","description":"host.cpu_busy_ratio 0.93 is at or above the degraded level 0.9",)"
        R"("duration":"0.012s","tags":["live"],"data":{"value":0.93},"error":null},)"
        R"("db":{"status":"Unhealthy","description":"timed out after 2s","duration":"0.004s",)"
        R"("tags":["db","ready"],"data":{},"error":"timed out after 2s"}}})");
  CHECK(ToJson(BuildReport(Snapshot{})).dump() ==
        R"({"status":"Healthy","totalDuration":"0.000s","entries":{}})");
}

TEST_CASE("StatusCodes map each status, and the default is 200/200/503", "[health]") {
  StatusCodes codes;
  CHECK(codes.For(HealthStatus::kHealthy) == 200);
  CHECK(codes.For(HealthStatus::kDegraded) == 200);
  CHECK(codes.For(HealthStatus::kUnhealthy) == 503);
  codes.degraded = 429;
  CHECK(codes.For(HealthStatus::kDegraded) == 429);
}

TEST_CASE("AddStatusSeries: a state set per check and the group statuses", "[health]") {
  Snapshot snap;
  auto db = Entry("db", HealthStatus::kUnhealthy, {"ready"});
  db.duration = 250ms;
  db.transitions = 3;
  db.consecutive_failures = 2;
  db.last_run = WallTime(std::chrono::seconds(1'700'000'000));
  auto cpu = Entry("cpu", HealthStatus::kDegraded, {"live"});
  cpu.value = 0.93;
  auto fresh = Entry("new", HealthStatus::kUnhealthy, {"live"});
  fresh.pending = true;  // no result: no last-run timestamp
  snap.entries = {cpu, db, fresh};

  std::ostringstream out;
  vitals::collectors::MetricSink sink;
  AddStatusSeries(snap, {"ready", "live"}, sink);
  prometheus::TextSerializer().Serialize(out, sink.Take());
  const std::string text = out.str();
  CHECK(text ==
        "# HELP vitals_check_consecutive_failures Results in a row that were not Healthy.\n"
        "# TYPE vitals_check_consecutive_failures gauge\n"
        "vitals_check_consecutive_failures{check=\"cpu\"} 0\n"
        "vitals_check_consecutive_failures{check=\"db\"} 2\n"
        "vitals_check_consecutive_failures{check=\"new\"} 0\n"
        "# HELP vitals_check_duration_seconds Duration of the last run of a check.\n"
        "# TYPE vitals_check_duration_seconds gauge\n"
        "vitals_check_duration_seconds{check=\"cpu\"} 0\n"
        "vitals_check_duration_seconds{check=\"db\"} 0.25\n"
        "vitals_check_duration_seconds{check=\"new\"} 0\n"
        "# HELP vitals_check_last_run_timestamp_seconds When the last result of a check "
        "arrived, in seconds since the epoch.\n"
        "# TYPE vitals_check_last_run_timestamp_seconds gauge\n"
        "vitals_check_last_run_timestamp_seconds{check=\"db\"} 1700000000\n"
        "# HELP vitals_check_status Current status of a check: 1 for the series of its "
        "status, 0 for the others.\n"
        "# TYPE vitals_check_status gauge\n"
        "vitals_check_status{check=\"cpu\",status=\"Degraded\"} 1\n"
        "vitals_check_status{check=\"cpu\",status=\"Healthy\"} 0\n"
        "vitals_check_status{check=\"cpu\",status=\"Unhealthy\"} 0\n"
        "vitals_check_status{check=\"db\",status=\"Degraded\"} 0\n"
        "vitals_check_status{check=\"db\",status=\"Healthy\"} 0\n"
        "vitals_check_status{check=\"db\",status=\"Unhealthy\"} 1\n"
        "vitals_check_status{check=\"new\",status=\"Degraded\"} 0\n"
        "vitals_check_status{check=\"new\",status=\"Healthy\"} 0\n"
        "vitals_check_status{check=\"new\",status=\"Unhealthy\"} 1\n"
        "# HELP vitals_check_transitions_total Changes of the reported status of a check "
        "(after hysteresis).\n"
        "# TYPE vitals_check_transitions_total counter\n"
        "vitals_check_transitions_total{check=\"cpu\"} 0\n"
        "vitals_check_transitions_total{check=\"db\"} 3\n"
        "vitals_check_transitions_total{check=\"new\"} 0\n"
        "# HELP vitals_check_value The value a threshold check evaluated last.\n"
        "# TYPE vitals_check_value gauge\n"
        "vitals_check_value{check=\"cpu\"} 0.93\n"
        "# HELP vitals_health_status Worst status of the checks in a group (all: every "
        "check): 2 Healthy, 1 Degraded, 0 Unhealthy.\n"
        "# TYPE vitals_health_status gauge\n"
        "vitals_health_status{group=\"all\"} 0\n"
        "vitals_health_status{group=\"live\"} 0\n"
        "vitals_health_status{group=\"ready\"} 0\n");
}

TEST_CASE("AddStatusSeries with no checks is one Healthy group", "[health]") {
  vitals::collectors::MetricSink sink;
  AddStatusSeries(Snapshot{}, {}, sink);
  auto families = sink.Take();
  REQUIRE(families.size() == 1);
  CHECK(families[0].name == "vitals_health_status");
  REQUIRE(families[0].metric.size() == 1);
  CHECK(families[0].metric[0].gauge.value == 2);
}
