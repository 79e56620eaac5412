#include "agent/status/status_page.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "agent/status/assets.h"

using namespace vitals;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<http::Request> Get(const std::string& target) {
  auto parsed = http::Request::Parse("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(std::holds_alternative<std::unique_ptr<http::Request>>(parsed));
  return std::move(std::get<std::unique_ptr<http::Request>>(parsed));
}

// A page on a ManualClock whose sources count their calls.
struct Rig {
  Rig() {
    status::StatusPage::Sources sources;
    sources.snapshot = [this] {
      ++snapshots;
      health::Snapshot s;
      health::EntrySnapshot e;
      e.name = "cache";
      e.status = health::HealthStatus::kHealthy;
      e.description = "PONG";
      s.entries.push_back(e);
      return s;
    };
    sources.samples = [] { return std::vector<prometheus::MetricFamily>{}; };
    sources.scrape = [this] {
      ++scrapes;
      return std::vector<prometheus::MetricFamily>{};
    };
    sources.actions = [] {
      return nlohmann::json::parse(R"({"cache": {"actions": [{"name": "restart",
        "type": "restart", "target": "redis.service", "state": "ready"}]}})");
    };
    sources.debug_state = [this] { return debug_state.load(); };
    sources.has_users = [this] { return has_users.load(); };
    sources.outputs = [] { return std::map<std::string, std::string>{{"cache", "3 keys"}}; };
    page = std::make_unique<status::StatusPage>(sources, status::StatusPage::Info{
                    "h", "1", "/metrics", "",
                    {{"cpu", true, "Exposes CPU statistics", {{"collector.cpu.info", "false"}}},
                     {"vmstat", false, "Exposes statistics from /proc/vmstat", {}}}},
                                                clock);
  }
  std::shared_ptr<health::ManualClock> clock = std::make_shared<health::ManualClock>();
  std::atomic<int> snapshots{0}, scrapes{0};
  std::atomic<bool> debug_state{true}, has_users{true};
  std::unique_ptr<status::StatusPage> page;
};

}  // namespace

TEST_CASE("StatusPage: one build a second is shared by every poller", "[status]") {
  Rig rig;
  auto request = Get("/status.json");
  auto first = rig.page->ServeJson(*request);
  CHECK(first.status == 200);
  CHECK(first.content_type == "application/json; charset=utf-8");
  for (int i = 0; i < 20; ++i) {
    CHECK(rig.page->ServeJson(*request).body == first.body);
  }
  CHECK(rig.page->builds() == 1);
  CHECK(rig.snapshots == 1);
  rig.clock->Advance(1s);
  rig.page->ServeJson(*request);
  CHECK(rig.page->builds() == 2);
  // The scrape for the host section: at most every 10 s.
  CHECK(rig.scrapes == 1);
  rig.clock->Advance(9s);
  rig.page->ServeJson(*request);
  CHECK(rig.scrapes == 2);

  SECTION("ten pollers at once: one build, and every one answered") {
    rig.clock->Advance(1s);
    const auto before = rig.page->builds();
    std::vector<std::thread> pollers;
    std::atomic<int> ok{0};
    for (int i = 0; i < 10; ++i) {
      pollers.emplace_back([&] {
        auto r = Get("/status.json");
        ok += rig.page->ServeJson(*r).status == 200 ? 1 : 0;
      });
    }
    for (auto& t : pollers) {
      t.join();
    }
    CHECK(ok == 10);
    CHECK(rig.page->builds() == before + 1);
  }
}

TEST_CASE("StatusPage: recent actions only for an authenticated request", "[status]") {
  Rig rig;
  auto anonymous = Get("/status.json");
  CHECK(rig.page->ServeJson(*anonymous).body.find("action:cache/restart") == std::string::npos);
  CHECK_THAT(rig.page->ServePage(*anonymous).body, Catch::Contains("href=\"/?signin\""));
  auto signed_in = Get("/status.json");
  signed_in->set_authenticated();
  CHECK_THAT(rig.page->ServeJson(*signed_in).body, Catch::Contains("action:cache/restart"));
  CHECK_THAT(rig.page->ServePage(*signed_in).body, Catch::Contains("redis.service"));
  rig.debug_state = false;
  rig.clock->Advance(1s);
  CHECK(rig.page->ServeJson(*signed_in).body.find("action:") == std::string::npos);
}

TEST_CASE("StatusPage: /?signin asks for credentials when there are users", "[status]") {
  Rig rig;
  auto signin = Get("/?signin");
  auto r = rig.page->ServePage(*signin);
  CHECK(r.status == 401);
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0].first == "WWW-Authenticate");
  signin->set_authenticated();
  CHECK(rig.page->ServePage(*signin).status == 200);
  rig.has_users = false;  // nobody could sign in: the page
  auto anonymous = Get("/?signin");
  CHECK(rig.page->ServePage(*anonymous).status == 200);
}

TEST_CASE("StatusPage: the page links its embedded stylesheet and script by content hash",
          "[status]") {
  Rig rig;
  auto html = rig.page->ServePage(*Get("/")).body;
  for (const char* name : {"status.css", "status.js"}) {
    const status::Asset* asset = status::FindAsset(name);
    REQUIRE(asset != nullptr);
    CHECK(asset->body.size() > 500);
    CHECK_THAT(html, Catch::Contains("/static/" + std::string(name) + "?v=" +
                                     std::string(asset->hash)));
    auto served = status::StatusPage::ServeAsset(*Get("/static/" + std::string(name) + "?v=x"));
    CHECK(served.status == 200);
    CHECK(served.body == asset->body);
    CHECK(served.content_type == asset->content_type);
  }
  CHECK(status::FindAsset("status.css")->content_type == "text/css; charset=utf-8");
  CHECK(status::FindAsset("status.js")->content_type == "text/javascript; charset=utf-8");
  CHECK(status::StatusPage::ServeAsset(*Get("/static/nope.js")).status == 404);
  CHECK(status::StatusPage::ServeAsset(*Get("/static/../etc/passwd")).status == 404);
}

TEST_CASE("StatusPage: the host collectors are listed once, outside the polled JSON",
          "[status]") {
  Rig rig;
  const auto html = rig.page->ServePage(*Get("/")).body;
  CHECK_THAT(html, Catch::Contains("<tr id=\"collector:cpu\"><th scope=\"row\">cpu</th><td>enabled</td>"
                                   "<td class=\"wrap\">Exposes CPU statistics</td><td class=\"wide wrap\">"
                                   "--collector.cpu.info=false</td></tr>"));
  CHECK_THAT(html, Catch::Contains("<td class=\"muted\">disabled</td>"));
  CHECK(rig.page->ServeJson(*Get("/status.json")).body.find("collector") == std::string::npos);
}
