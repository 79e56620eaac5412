#include "agent/status/page_model.h"

#include <catch2/catch.hpp>

#include "tests/unit/status/family_builder.h"

using namespace vitals::status;
using vitals::health::EntrySnapshot;
using vitals::health::HealthStatus;
using namespace std::chrono_literals;

namespace {

const auto kNow = std::chrono::system_clock::time_point(1'700'000'000s);

EntrySnapshot Entry(std::string name, HealthStatus status, std::set<std::string> tags,
                    std::string description) {
  EntrySnapshot e;
  e.name = std::move(name);
  e.kind = "redis";
  e.tags = std::move(tags);
  e.status = status;
  e.description = std::move(description);
  e.since = kNow - 192s;
  e.last_run = kNow - 4s;
  e.duration = 3ms;
  e.transitions = 2;
  e.consecutive_failures = status == HealthStatus::kHealthy ? 0 : 3;
  e.recent = {{kNow - 30s, HealthStatus::kHealthy}, {kNow - 20s, HealthStatus::kDegraded},
              {kNow - 10s, status}};
  return e;
}

// The row with `id` of any table on the page.
const Row& FindRow(const Page& page, const std::string& id) {
  for (const auto& s : page.sections) {
    for (const auto& t : s.tables) {
      for (const auto& g : t.groups) {
        for (const auto& r : g.rows) {
          if (r.id == id) {
            return r;
          }
        }
      }
    }
  }
  FAIL("no row " << id);
  throw std::logic_error("unreachable");
}

const Section& FindSection(const Page& page, const std::string& id) {
  for (const auto& s : page.sections) {
    if (s.id == id) {
      return s;
    }
  }
  FAIL("no section " << id);
  throw std::logic_error("unreachable");
}

PageInput Input() {
  PageInput in;
  in.now = kNow;
  in.host = "db1";
  in.version = "0.1.0";
  in.snapshot.entries = {
      Entry("cache", HealthStatus::kUnhealthy, {"ready"}, "redis: connect: Connection refused"),
      Entry("cpu", HealthStatus::kDegraded, {"live"}, "host.cpu_busy_ratio 0.85 >= 0.8"),
      Entry("db", HealthStatus::kHealthy, {"ready"}, "SELECT 1 in 2 ms"),
      Entry("disk", HealthStatus::kHealthy, {}, "ok")};
  return in;
}

}  // namespace

TEST_CASE("BuildPage: overall status first, then every check grouped by its tags", "[status]") {
  const Page page = BuildPage(Input());
  CHECK(page.overall.text == "✖ Unhealthy");
  CHECK(page.overall.cls == "overall st st-unhealthy");
  CHECK(page.summary.text ==
        "4 checks: 1 Unhealthy, 1 Degraded, 2 Healthy. Unhealthy: cache. Degraded: cpu.");
  CHECK(page.title == "Unhealthy · vitals on db1");
  const Section& checks = FindSection(page, "checks");
  REQUIRE(checks.tables.size() == 1);
  const auto& groups = checks.tables[0].groups;
  REQUIRE(groups.size() == 3);
  CHECK(groups[0].heading == "tags: live");
  CHECK(groups[1].heading == "tags: ready");
  CHECK(groups[1].rows.size() == 2);
  CHECK(groups[2].heading == "no tags");  // last

  const Row& cache = FindRow(page, "check:cache");
  REQUIRE(cache.cells.size() == 8);
  CHECK(cache.cells[0].text == "✖ Unhealthy");
  CHECK(cache.cells[0].cls == "st st-unhealthy");
  CHECK(cache.cells[1].text == "redis: connect: Connection refused");
  CHECK(cache.cells[2].text == "3 min 12 s");                     // in this status
  CHECK(cache.cells[2].title == "since 2023-11-14 22:10:08 UTC");
  CHECK(cache.cells[3].text == "4 s ago");
  CHECK(cache.cells[4].text == "3 ms");
  CHECK(cache.cells[5].text == "3");
  CHECK(cache.cells[5].cls == "warn");
  CHECK(cache.cells[6].text == "2");
  REQUIRE(cache.cells[7].marks.size() == 3);
  CHECK(cache.cells[7].marks[0].text == "✔");
  CHECK(cache.cells[7].marks[1].text == "▲");
  CHECK(cache.cells[7].marks[2].cls == "mk st st-unhealthy");
  CHECK(cache.cells[7].marks[2].title == "2023-11-14 22:13:10 UTC: Unhealthy");
  CHECK(FindRow(page, "check:cpu").cells[0].text == "▲ Degraded");
  CHECK(FindRow(page, "check:db").cells[0].text == "✔ Healthy");
}

TEST_CASE("BuildPage: no checks is Healthy and says how to add some", "[status]") {
  PageInput in = Input();
  in.snapshot.entries.clear();
  const Page page = BuildPage(in);
  CHECK(page.overall.text == "✔ Healthy");
  CHECK(page.summary.text == "No checks configured.");
  CHECK(FindSection(page, "checks").tables[0].empty_text ==
        "No checks are configured: add \"checks\" to --config.file.");
}

TEST_CASE("BuildPage: a hostile description stays one capped line", "[status]") {
  PageInput in = Input();
  in.snapshot.entries[0].description = "line one\nline two \x1b[31mred\x1b[0m " + std::string(10'000, 'x');
  const Page page = BuildPage(in);
  const Row& row = FindRow(page, "check:cache");
  const Cell& d = row.cells[1];
  CHECK_THAT(d.text, Catch::StartsWith("line one line two \\x1b[31mred\\x1b[0m xxx"));
  CHECK(d.text.size() <= 400 + 3);
  CHECK_THAT(d.text, Catch::EndsWith("…"));
  CHECK(d.title.size() <= 2000 + 3);
}

TEST_CASE("BuildPage: pending and stale checks say so", "[status]") {
  PageInput in = Input();
  auto& e = in.snapshot.entries[0];
  e.pending = true;
  e.last_run.reset();
  e.recent.clear();
  const Page page = BuildPage(in);
  const Row& row = FindRow(page, "check:cache");
  CHECK(row.cells[0].title == "no result yet: a check is Unhealthy until its first result");
  CHECK(row.cells[3].text == "—");
  CHECK(row.cells[7].text == "none yet");
}

TEST_CASE("BuildPage: process groups, and a declared group with no process stands out", "[status]") {
  using vitals::status::testing::AddSample;
  using vitals::status::testing::MakeFamily;
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> families;
  auto group_family = [&](const char* name, std::vector<std::pair<std::string, double>> values) {
    auto f = MakeFamily(name, MetricType::Gauge);
    for (const auto& [group, v] : values) {
      AddSample(f, v, {{"groupname", group}});
    }
    families.push_back(std::move(f));
  };
  group_family("vitals_sample_group_num_procs", {{"api", 3}, {"ghost", 0}, {"web", 9}});
  group_family("vitals_sample_group_cpu_ratio", {{"api", 0.25}});
  group_family("vitals_sample_group_memory_rss_bytes", {{"api", 50 * 1024 * 1024}, {"ghost", 0}});
  group_family("vitals_sample_group_num_threads", {{"api", 12}, {"ghost", 0}});
  group_family("vitals_sample_group_open_fds", {{"api", 40}, {"ghost", 0}});
  group_family("vitals_sample_group_worst_fd_ratio", {{"api", 0.75}, {"ghost", 0}});
  group_family("namedprocess_namegroup_worst_fd_limit", {{"api", 1024}});
  PageInput in = Input();
  in.families = &families;
  in.declared_groups = {{"api", 1, 4}, {"ghost", 1, std::nullopt}, {"web", std::nullopt, 4},
                        {"later", std::nullopt, std::nullopt}};
  const Page page = BuildPage(in);

  const Row& api = FindRow(page, "group:api");
  CHECK(api.label_title == "declared in the config");
  CHECK(api.cells[0].text == "3 (1–4)");
  CHECK(api.cells[0].cls.empty());
  CHECK(api.cells[1].text == "25 %");
  CHECK(api.cells[2].text == "50 MiB");
  CHECK(api.cells[3].text == "12");
  CHECK(api.cells[4].text == "40");
  CHECK(api.cells[5].text == "75 % of 1024");
  CHECK(api.cells[5].cls == "warn");
  CHECK(api.cells[5].meter == 0.75);

  const Row& ghost = FindRow(page, "group:ghost");
  CHECK(ghost.cells[0].text == "⚠ none running (1–∞)");
  CHECK(ghost.cells[0].cls == "alert");
  CHECK(ghost.cells[1].text == "—");  // no CPU ratio yet

  CHECK(FindRow(page, "group:web").cells[0].text == "⚠ 9 (0–4)");
  CHECK(FindRow(page, "group:web").cells[0].cls == "alert");
  CHECK(FindRow(page, "group:later").cells[0].title == "not sampled yet");
}

TEST_CASE("BuildPage: recent actions only for users who may read /debug/state", "[status]") {
  PageInput in = Input();
  in.actions = nlohmann::json::parse(R"({
    "worker": {"status": "Unhealthy", "dry_run": false, "actions": [
      {"name": "restart", "type": "restart", "target": "worker.service", "state": "suppressed",
       "last_run": 1699999990.0, "last_result": "failure", "last_detail": "exit status 1",
       "runs_in_window": 3, "limit_burst": 3, "suppressed": 2, "next_allowed_in_seconds": 54.2},
      {"name": "exec", "type": "exec", "target": "/bin/notify --token s3cret", "state": "ready",
       "last_run": null, "last_result": null, "last_detail": "", "runs_in_window": 0,
       "limit_burst": 3, "suppressed": 0, "next_allowed_in_seconds": 0}]}})");
  SECTION("shown") {
    in.actions_access = ActionsAccess::kShown;
    const Page page = BuildPage(in);
    const Row& restart = FindRow(page, "action:worker/restart");
    CHECK(restart.label == "worker: restart");
    CHECK(restart.cells[0].text == "restart worker.service");
    CHECK(restart.cells[1].text == "suppressed");
    CHECK(restart.cells[1].cls == "alert");
    CHECK(restart.cells[2].text == "10 s ago");
    CHECK(restart.cells[3].text == "failure");
    CHECK(restart.cells[3].title == "exit status 1");
    CHECK(restart.cells[4].text == "3 of 3");
    CHECK(restart.cells[5].text == "2");
    CHECK(restart.cells[6].text == "in 54 s");
    const Row& exec = FindRow(page, "action:worker/exec");
    CHECK(exec.cells[0].text == "run a command");  // its arguments may hold secrets
    CHECK(exec.cells[2].text == "—");
    CHECK(exec.cells[6].text == "now");
    CHECK(page.links.back().href == "/debug/state");
    CHECK(RenderJson(page).dump().find("s3cret") == std::string::npos);
  }
  SECTION("signed out: a note and a way to sign in, no table") {
    in.actions_access = ActionsAccess::kNeedsSignIn;
    const Page page = BuildPage(in);
    const Section& s = FindSection(page, "actions");
    CHECK(s.tables.empty());
    REQUIRE(s.note_links.size() == 1);
    CHECK(s.note_links[0].href == "/?signin");
    CHECK(RenderHtml(page, {}).find("worker.service") == std::string::npos);
  }
  SECTION("debug_state off") {
    in.actions_access = ActionsAccess::kDebugOff;
    const Page page = BuildPage(in);
    const Section& s = FindSection(page, "actions");
    CHECK(s.tables.empty());
    CHECK_THAT(s.notes.at(0), Catch::Contains("\"debug_state\": true"));
  }
}

TEST_CASE("BuildPage: a heartbeat's last output follows its description, one capped line",
          "[status]") {
  PageInput in = Input();
  in.outputs = {{"cache", "copied 3 files\nwarning: \x1b[33mslow disk\x1b[0m " +
                              std::string(1000, 'y')},
                {"db", ""}};
  const Page page = BuildPage(in);
  const Cell& cache = FindRow(page, "check:cache").cells[1];
  CHECK_THAT(cache.text, Catch::StartsWith("redis: connect: Connection refused — last output: "
                                           "copied 3 files warning: \\x1b[33mslow disk"));
  CHECK(cache.text.size() < 400);
  CHECK_THAT(cache.title, Catch::Contains("\nlast output: copied 3 files"));
  CHECK(FindRow(page, "check:db").cells[1].text == "SELECT 1 in 2 ms");  // empty: nothing added
}
