#pragma once
// The heartbeat endpoints, as easy to use from a cron job as Healthchecks.io's
// ping URLs:
//
//   /ping/<token>[/start|/fail|/<exit-code>]        the token names the check
//   /heartbeat/<check>[/start|/fail|/<exit-code>]   token in X-Vitals-Token
//
// GET, HEAD and POST all count. The path alone is a beat; /start marks the
// start of a run; /fail a failed run; /<exit-code> (0-255) a run that ended
// with that status (0 is a beat). A POST body is kept as the run's output
// (its first kMaxOutputBytes; the status page shows it). `?pid=<n>` tells
// which process reports, for /debug/state.
//
// The per-check token is the authentication: compared in constant time, a
// wrong or missing one is 401, counted, and changes nothing; an unknown
// check is 404. The web layer puts basic auth in front only where the web
// config's protected_paths name these paths (its catch-all "/" does not).
// Tokens are never logged: the server logs routes, not paths.
//
// Part of vitals_http (it speaks http::Response); the heartbeats themselves
// are vitals_health's (agent/health/heartbeat.h).

#include <string_view>

#include "agent/health/heartbeat.h"
#include "agent/http/server.h"

namespace vitals::http {

inline constexpr const char* kHeartbeatTokenHeader = "X-Vitals-Token";
inline constexpr std::string_view kHeartbeatPrefix = "/heartbeat";
inline constexpr std::string_view kPingPrefix = "/ping";

// Serves both forms (the request's path says which).
Response HandleHeartbeat(health::HeartbeatRegistry& registry, const Request& request);

}  // namespace vitals::http
