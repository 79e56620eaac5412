#include "agent/debug/state.h"

#include <set>

#include "agent/actions/group_signal.h"
#include "collectors/procfs/pid_stat.h"
#include "collectors/procfs/stat.h"

namespace vitals::debug {

namespace {

double Epoch(health::WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

nlohmann::json OrNull(const std::optional<health::WallTime>& t) {
  return t ? nlohmann::json(Epoch(*t)) : nlohmann::json();
}

// State and start time of a process from /proc/<pid>/stat.
nlohmann::json Worker(const procfs::ProcFs& proc, int pid, std::optional<std::uint64_t> boot,
                      std::string& buffer) {
  nlohmann::json w;
  w["pid"] = pid;
  auto stat = procfs::ReadPidStat(proc, pid, buffer);
  const bool alive = stat && stat->state != 'Z' && stat->state != 'X';
  w["alive"] = alive;
  w["state"] = stat ? nlohmann::json(std::string(1, stat->state)) : nlohmann::json("gone");
  if (stat && boot) {
    w["start_time"] = static_cast<double>(*boot) +
                      static_cast<double>(stat->starttime) /
                          static_cast<double>(proc.system().ticks_per_second);
  } else {
    w["start_time"] = nullptr;
  }
  return w;
}

}  // namespace

nlohmann::json DebugState::Build() const {
  const health::Snapshot snapshot = health_.snapshot();
  nlohmann::json actions = actions_.State();
  const auto groups = actions_.groups();
  std::string buffer;
  std::optional<std::uint64_t> boot;
  if (auto stat = procfs::ReadStat(proc_, buffer)) {
    boot = stat->boot_time;
  }
  const bool can_list = actions::SamePidNamespace(proc_);

  nlohmann::json checks = nlohmann::json::object();
  for (const auto& e : snapshot.entries) {
    nlohmann::json c;
    c["kind"] = e.kind;
    c["status"] = std::string(health::StatusName(e.status));
    c["description"] = e.description;
    c["pending"] = e.pending;
    c["stale"] = e.stale;
    c["transitions"] = e.transitions;
    c["consecutive_failures"] = e.consecutive_failures;
    c["last_run"] = OrNull(e.last_run);
    c["error"] = e.error ? nlohmann::json(*e.error) : nlohmann::json();
    nlohmann::json workers = nlohmann::json::array();
    if (auto hb = health_.heartbeats().Find(e.name)) {
      const health::HeartbeatState s = hb->state();
      c["heartbeat"] = {{"last_beat", OrNull(s.last_beat)},
                        {"last_start", OrNull(s.last_start)},
                        {"last_fail", OrNull(s.last_fail)},
                        {"beats", s.beats},
                        {"starts", s.starts},
                        {"fails", s.fails},
                        {"rejected", s.rejected},
                        {"misses", s.misses},
                        {"period_seconds",
                         std::chrono::duration<double>(hb->spec().period).count()},
                        {"grace_seconds", std::chrono::duration<double>(hb->spec().grace).count()},
                        {"last_job_seconds", s.last_job_seconds ? nlohmann::json(*s.last_job_seconds)
                                                                : nlohmann::json()}};
      if (s.pid) {
        auto w = Worker(proc_, *s.pid, boot, buffer);
        w["source"] = "heartbeat";
        w["starts"] = s.worker_starts;  // different pids that reported
        w["reporting_since"] = OrNull(s.pid_since);
        workers.push_back(std::move(w));
      }
    }
    nlohmann::json last_restart, last_action;
    if (actions.contains(e.name)) {
      nlohmann::json& a = actions[e.name];
      std::set<std::string> listed;
      for (const auto& action : a["actions"]) {
        if (action["last_run"].is_number() &&
            (last_action.is_null() || action["last_run"] > last_action["time"])) {
          last_action = {{"name", action["name"]},
                         {"type", action["type"]},
                         {"time", action["last_run"]},
                         {"result", action["last_result"]},
                         {"detail", action["last_detail"]}};
          if (action["last_result"] != "dry_run") {
            last_restart = action["last_run"];
          }
        }
        if (action["type"] == "signal" && can_list) {
          const std::string group = action["target"];
          if (!listed.insert(group).second) {
            continue;
          }
          std::string error;
          for (const auto& m : actions::FindGroup(proc_, groups, group, &error)) {
            auto w = Worker(proc_, m.pid, boot, buffer);
            w["source"] = "group:" + group;
            workers.push_back(std::move(w));
          }
        }
      }
      c["actions"] = a["actions"];
    } else {
      c["actions"] = nlohmann::json::array();
    }
    c["workers"] = std::move(workers);
    c["last_restart"] = last_restart;
    c["last_action"] = last_action;
    checks[e.name] = std::move(c);
  }
  bool dry_run = false;
  for (const auto& [name, a] : actions.items()) {
    dry_run = dry_run || a.value("dry_run", false);
  }
  return {{"time", std::chrono::duration<double>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count()},
          {"dry_run", dry_run},
          {"checks", std::move(checks)}};
}

http::Response DebugState::Handle(const http::Request&) const {
  if (!enabled_) {
    auto r = http::Response::Text(
        404, "/debug/state is off; set \"debug_state\": true in the health section\n");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  http::Response r;
  r.content_type = "application/json; charset=utf-8";
  r.body = Build().dump(2) + "\n";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace vitals::debug
