#pragma once
// GET /debug/state: what the agent knows about every check and every watched
// worker, as JSON, for a person at 3 a.m. In the spirit of Sanic's
// /__health__, but never open: off unless the config's health.debug_state is
// true (404 otherwise), and the route requires basic auth (the web layer
// answers 401, or 403 with no users configured) before this handler runs.
//
//   {"time": 1700000000.1, "dry_run": false, "checks": {"worker": {
//      "kind": "heartbeat", "status": "Unhealthy", "description": "...",
//      "heartbeat": {"last_beat": ..., "beats": 12, "misses": 2, ...},
//      "workers": [{"pid": 4242, "source": "heartbeat", "state": "S",
//                   "alive": true, "start_time": ..., "starts": 3}],
//      "last_restart": ..., "last_action": {"name": "exec", "result": "success", ...},
//      "actions": [{"name": "exec", "runs": 3, "suppressed": 1, "state": "suppressed", ...}]}}}
//
// Secrets (heartbeat tokens, command environment) are never part of it.
// Thread contract: Handle() may run on several HTTP workers at once.

#include <atomic>
#include <nlohmann/json.hpp>

#include "agent/actions/runner.h"
#include "agent/http/health_service.h"
#include "agent/http/server.h"
#include "collectors/procfs/proc_fs.h"

namespace vitals::debug {

class DebugState {
 public:
  DebugState(const http::HealthService& health, const actions::ActionRunner& actions,
             const procfs::ProcFs& proc)
      : health_(health), actions_(actions), proc_(proc) {}

  void SetEnabled(bool on) { enabled_ = on; }
  bool enabled() const { return enabled_; }

  nlohmann::json Build() const;
  http::Response Handle(const http::Request& request) const;

 private:
  const http::HealthService& health_;
  const actions::ActionRunner& actions_;
  procfs::ProcFs proc_;
  std::atomic<bool> enabled_{false};
};

}  // namespace vitals::debug
