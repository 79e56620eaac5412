#include "agent/health/heartbeat_handler.h"

#include <charconv>

namespace vitals::health {

namespace {

http::Response Reply(int status, std::string body) {
  auto r = http::Response::Text(status, std::move(body));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

http::Response HandleHeartbeat(HeartbeatRegistry& registry, const http::Request& request) {
  std::string_view rest = request.path().substr(kHeartbeatPrefix.size());
  if (rest.size() < 2 || rest.front() != '/') {
    return Reply(404, "POST /heartbeat/<check>[/start|/fail]\n");
  }
  rest.remove_prefix(1);
  std::string_view name = rest.substr(0, rest.find('/'));
  std::string_view suffix = name.size() < rest.size() ? rest.substr(name.size() + 1) : "";
  PingKind kind = PingKind::kSuccess;
  if (suffix == "start") {
    kind = PingKind::kStart;
  } else if (suffix == "fail") {
    kind = PingKind::kFail;
  } else if (!suffix.empty()) {
    return Reply(404, "POST /heartbeat/<check>[/start|/fail]\n");
  }
  std::optional<int> pid;
  std::string_view query = request.query();
  while (!query.empty()) {
    std::string_view param = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), param.size() + 1));
    if (param.rfind("pid=", 0) == 0) {
      std::string_view v = param.substr(4);
      int n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n <= 0) {
        return Reply(400, "pid: expected a positive integer\n");
      }
      pid = n;
    }
  }
  auto check = registry.Find(name);
  if (check == nullptr) {
    registry.CountUnknown();
    return Reply(404, "no heartbeat check named \"" + std::string(name) + "\"\n");
  }
  if (!check->TokenMatches(request.Header(kHeartbeatTokenHeader))) {
    check->CountRejected();
    return Reply(401, "401 Unauthorized: wrong or missing " +
                          std::string(kHeartbeatTokenHeader) + " header\n");
  }
  check->Ping(kind, pid);
  return Reply(200, "OK\n");
}

}  // namespace vitals::health
