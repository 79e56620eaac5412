#pragma once
// POST /heartbeat/<check>, /heartbeat/<check>/start, /heartbeat/<check>/fail.
//
// The check's token goes in the X-Vitals-Token header (compared in constant
// time): wrong or missing is 401, counted per check, and changes nothing.
// The web layer in front also requires basic auth for /heartbeat (see
// agent/http/web_config.h), so the Authorization header is taken; the
// token binds a job to its one check. An unknown check is 404 (counted);
// `?pid=<n>` tells which process reports, for /debug/state. The body is
// never read (the server bounds its size), so floods keep no memory.
//
// Part of vitals_agent (it speaks http::Response).

#include <string_view>

#include "agent/health/heartbeat.h"
#include "agent/http/server.h"

namespace vitals::health {

inline constexpr const char* kHeartbeatTokenHeader = "X-Vitals-Token";
inline constexpr std::string_view kHeartbeatPrefix = "/heartbeat";

http::Response HandleHeartbeat(HeartbeatRegistry& registry, const http::Request& request);

}  // namespace vitals::health
