#include "agent/http/heartbeat_handler.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace vitals::http {

namespace {

constexpr std::string_view kUsage =
    "/ping/<token>[/start|/fail|/<exit-code>] or "
    "/heartbeat/<check>[/start|/fail|/<exit-code>] with the token in X-Vitals-Token\n";

Response Reply(int status, std::string body) {
  auto r = Response::Text(status, std::move(body));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// A whole decimal number from `low` to `high`, or nullopt.
std::optional<int> Integer(std::string_view text, int low, int high) {
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < low || n > high) {
    return std::nullopt;
  }
  return n;
}

}  // namespace

Response HandleHeartbeat(health::HeartbeatRegistry& registry, const Request& request) {
  const bool ping = request.path().substr(0, kPingPrefix.size()) == kPingPrefix;
  std::string_view rest = request.path().substr(ping ? kPingPrefix.size() : kHeartbeatPrefix.size());
  if (rest.size() < 2 || rest.front() != '/') {
    return Reply(404, std::string(kUsage));
  }
  rest.remove_prefix(1);
  // <check or token>[/<what>]
  const std::string_view key = rest.substr(0, rest.find('/'));
  const std::string_view what = key.size() < rest.size() ? rest.substr(key.size() + 1) : "";
  health::PingKind kind = health::PingKind::kSuccess;
  std::optional<int> exit_code;
  if (what == "start") {
    kind = health::PingKind::kStart;
  } else if (what == "fail") {
    kind = health::PingKind::kFail;
  } else if (!what.empty()) {
    exit_code = Integer(what, 0, 255);
    if (!exit_code) {
      return Reply(404, std::string(kUsage));
    }
    kind = *exit_code == 0 ? health::PingKind::kSuccess : health::PingKind::kFail;
  }
  std::optional<int> pid;
  std::string_view query = request.query();
  while (!query.empty()) {
    std::string_view param = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), param.size() + 1));
    if (param.rfind("pid=", 0) == 0) {
      pid = Integer(param.substr(4), 1, std::numeric_limits<int>::max());
      if (!pid) {
        return Reply(400, "pid: expected a positive integer\n");
      }
    }
  }
  std::shared_ptr<health::HeartbeatCheck> check;
  if (ping) {
    check = registry.FindByToken(key);
    if (check == nullptr) {
      registry.CountUnknownToken();
      return Reply(401, "401 Unauthorized: no heartbeat check has this token\n");
    }
  } else {
    check = registry.Find(key);
    if (check == nullptr) {
      registry.CountUnknown();
      return Reply(404, "no heartbeat check named \"" + std::string(key) + "\"\n");
    }
    if (!check->TokenMatches(request.Header(kHeartbeatTokenHeader))) {
      check->CountRejected();
      return Reply(401, "401 Unauthorized: wrong or missing " +
                            std::string(kHeartbeatTokenHeader) + " header\n");
    }
  }
  check->Ping(kind, pid, exit_code, request.body());
  return Reply(200, "OK\n");
}

}  // namespace vitals::http
