// The heartbeat handler's two forms (/ping/<token>, /heartbeat/<check>)
// with exit codes and output, on a manual clock.

#include "agent/http/heartbeat_handler.h"

#include <catch2/catch.hpp>

using namespace vitals::health;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<vitals::http::Request> Request(const std::string& method, const std::string& target,
                                               const std::string& headers = "",
                                               const std::string& body = "") {
  auto parsed = vitals::http::Request::Parse(method + " " + target + " HTTP/1.1\r\nHost: x\r\n" +
                                             headers + "\r\n");
  REQUIRE(std::holds_alternative<std::unique_ptr<vitals::http::Request>>(parsed));
  auto request = std::move(std::get<std::unique_ptr<vitals::http::Request>>(parsed));
  *request->mutable_body() = body;
  return request;
}

}  // namespace

TEST_CASE("heartbeat handler: /ping/<token> and /heartbeat/<check>, exit codes, output",
          "[http][heartbeat]") {
  auto clock = std::make_shared<ManualClock>();
  HeartbeatRegistry reg(clock);
  auto a = reg.Prepare("a", "def-a", HeartbeatSpec{1h, 1h, 1, "token-of-a-0123456789"});
  auto b = reg.Prepare("b", "def-b", HeartbeatSpec{1h, 1h, 1, "token-of-b-0123456789"});
  reg.Commit();
  auto serve = [&](const std::string& method, const std::string& target,
                   const std::string& headers = "", const std::string& body = "") {
    return vitals::http::HandleHeartbeat(reg, *Request(method, target, headers, body)).status;
  };
  CHECK(serve("GET", "/ping/token-of-a-0123456789") == 200);
  CHECK(serve("HEAD", "/ping/token-of-a-0123456789") == 200);
  CHECK(serve("POST", "/ping/token-of-b-0123456789/start") == 200);
  CHECK(a->state().beats == 2);
  CHECK(b->state().starts == 1);
  CHECK(serve("POST", "/ping/token-of-a-0123456789/3", "", "disk full\n" + std::string(5000, 'x')) ==
        200);
  CHECK(a->state().exit_code == 3);
  CHECK(a->state().fails == 1);
  CHECK(a->state().output.size() == kMaxOutputBytes);
  CHECK(a->state().output.rfind("disk full\n", 0) == 0);
  auto r = a->Run(CheckContext{clock->Now(), clock->Now() + 100ms, {}});
  CHECK(r.status == HealthStatus::kUnhealthy);
  CHECK_THAT(r.description, Catch::StartsWith("the job reported a failure (exit status 3)"));
  CHECK(serve("GET", "/heartbeat/a/0", "X-Vitals-Token: token-of-a-0123456789\r\n") == 200);
  CHECK(a->state().exit_code == 0);
  CHECK(a->state().output.empty());
  CHECK(a->Run(CheckContext{clock->Now(), clock->Now() + 100ms, {}}).status ==
        HealthStatus::kHealthy);

  const auto before = a->state();
  CHECK(serve("GET", "/ping/token-of-a-012345678") == 401);   // one character short
  CHECK(serve("GET", "/ping/token-of-a-0123456789x") == 401);
  CHECK(serve("POST", "/heartbeat/a", "X-Vitals-Token: token-of-b-0123456789\r\n") == 401);
  CHECK(serve("POST", "/heartbeat/a") == 401);
  CHECK(serve("POST", "/heartbeat/nope", "X-Vitals-Token: token-of-a-0123456789\r\n") == 404);
  CHECK(serve("GET", "/ping/token-of-a-0123456789/256") == 404);
  CHECK(serve("GET", "/ping/token-of-a-0123456789/-1") == 404);
  CHECK(serve("GET", "/ping/token-of-a-0123456789/restart") == 404);
  CHECK(serve("GET", "/ping/token-of-a-0123456789?pid=0") == 400);
  CHECK(serve("GET", "/ping") == 404);
  const auto after = a->state();
  CHECK(after.beats == before.beats);
  CHECK(after.fails == before.fails);
  CHECK(after.last_beat == before.last_beat);
  CHECK(after.rejected == before.rejected + 2);
}
