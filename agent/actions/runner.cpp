#include "agent/actions/runner.h"

#include <algorithm>

#include "agent/actions/group_signal.h"
#include "agent/health/loop.h"
#include "agent/log/log.h"
#include "agent/platform/subprocess.h"

namespace vitals::actions {

namespace {

constexpr std::size_t kOutputCap = 4096;   // kept from a command's output
constexpr std::size_t kLoggedOutput = 512;  // of which this much is logged
constexpr const char* kResults[] = {"dry_run", "failure", "success", "timeout"};

using health::HealthStatus;

double Epoch(health::WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}
double Secs(Duration d) { return std::chrono::duration<double>(d).count(); }

// One action of one check. Guarded by Core::mutex.
struct Slot {
  explicit Slot(config::ActionConfig c)
      : config(std::move(c)),
        limiter(LimitSpec{config.backoff, config.max_backoff, config.limit_burst,
                          config.limit_interval, config.reset_after}) {
    for (const char* r : kResults) {
      results[r] = 0;
    }
  }
  config::ActionConfig config;
  Limiter limiter;
  std::map<std::string, std::uint64_t> results;
  std::uint64_t suppressed = 0;
  std::optional<Time> suppressed_until;  // the current refusal is counted; ask again then
  std::optional<health::WallTime> last_run;
  std::string last_result;
  std::string last_detail;
  double last_duration = 0;
  bool running = false;
};

struct CheckState {
  std::string definition;
  std::optional<HealthStatus> status;
  std::optional<health::WallTime> since;  // of the status
  std::vector<Slot> slots;
  bool busy = false;  // a thread runs its actions
};

std::string Join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    out += (out.empty() ? "" : " ") + a;
  }
  return out;
}

std::string Target(const config::ActionConfig& c) {
  if (c.type == "restart") {
    return c.unit;
  }
  if (c.type == "signal") {
    return c.group;
  }
  return Join(c.command);
}

std::vector<std::string> Argv(const config::ActionConfig& c) {
  if (c.type == "restart") {
    return {"systemctl", "restart", "--no-ask-password", "--", c.unit};
  }
  return c.command;
}

std::string FirstBytes(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : s.substr(0, n) + "...";
}

}  // namespace

struct ActionRunner::Core {
  Core(const procfs::ProcFs& p, std::shared_ptr<const health::Clock> c)
      : proc(p), clock(std::move(c)) {}

  procfs::ProcFs proc;
  std::shared_ptr<const health::Clock> clock;
  mutable std::mutex mutex;  // guards everything below
  std::condition_variable_any wake;
  std::condition_variable idle;
  std::uint64_t seq = 0;  // bumped with every wake
  std::map<std::string, std::shared_ptr<CheckState>> checks;
  std::vector<config::ProcessGroupConfig> groups;
  bool dry_run = false;
  std::size_t threads = 0;  // action threads running
  std::stop_source stop;

  // Runs one action (no lock held). Returns result and detail.
  std::pair<std::string, std::string> Execute(const config::ActionConfig& c, bool dry,
                                              const std::vector<config::ProcessGroupConfig>& gs) {
    if (c.type == "signal") {
      if (!SamePidNamespace(proc)) {
        return {"failure", "the procfs root is not this pid namespace's /proc; not signalling"};
      }
      std::string error;
      auto members = FindGroup(proc, gs, c.group, &error);
      if (!error.empty()) {
        return {"failure", "cannot list processes: " + error};
      }
      std::string pids;
      for (const auto& m : members) {
        pids += (pids.empty() ? "" : ",") + std::to_string(m.pid);
      }
      if (dry) {
        return {"dry_run", "would send SIG" + c.signal_name + " to " +
                               std::to_string(members.size()) + " processes of group " + c.group +
                               (pids.empty() ? "" : " (" + pids + ")")};
      }
      if (members.empty()) {
        return {"success", "no process in group " + c.group};
      }
      auto out = SignalMembers(proc, members, c.signal, c.grace, stop.get_token());
      return {out.ok() ? "success" : "failure",
              "SIG" + c.signal_name + " to pids " + pids + ": " + out.Describe()};
    }
    const auto argv = Argv(c);
    if (dry) {
      return {"dry_run", "would run: " + Join(argv)};
    }
    // What the command leaves running (a service it started) is kept until
    // the agent exits.
    auto r = platform::RunCommand({argv, std::chrono::steady_clock::now() + c.timeout,
                                   stop.get_token(), kOutputCap,
                                   platform::Command::Leftovers::kKeep});
    std::string detail = r.Describe();
    std::string out = r.output;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
      out.pop_back();
    }
    if (!out.empty()) {
      detail += "; output: " + FirstBytes(out, kLoggedOutput);
    }
    using O = platform::CommandResult::Outcome;
    return {r.ok() ? "success" : r.outcome == O::kTimedOut ? "timeout" : "failure", detail};
  }

  void RunActions(std::string name, std::shared_ptr<CheckState> cs, std::vector<std::size_t> which,
                  bool dry, std::vector<config::ProcessGroupConfig> gs) {
    for (std::size_t i : which) {
      config::ActionConfig c;
      {
        std::lock_guard lock(mutex);
        c = cs->slots[i].config;
        cs->slots[i].running = true;
      }
      log::Info(dry ? "action (dry run)" : "action starting",
                {{"check", name}, {"action", c.name}, {"type", c.type}, {"target", Target(c)}});
      const auto started = std::chrono::steady_clock::now();
      auto [result, detail] = Execute(c, dry, gs);
      const Duration took = std::chrono::steady_clock::now() - started;
      {
        std::lock_guard lock(mutex);
        Slot& s = cs->slots[i];
        s.running = false;
        ++s.results[result];
        s.last_run = clock->WallNow();
        s.last_result = result;
        s.last_detail = detail;
        s.last_duration = Secs(took);
      }
      const std::initializer_list<log::Field> fields = {
          {"check", name},     {"action", c.name}, {"type", c.type},
          {"result", result},  {"detail", detail}, {"took", std::to_string(Secs(took)) + "s"}};
      if (result == "success" || result == "dry_run") {
        log::Info("action finished", fields);
      } else {
        log::Warn("action failed", fields);
      }
    }
    {
      std::lock_guard lock(mutex);
      cs->busy = false;
      --threads;
      ++seq;
    }
    wake.notify_all();
    idle.notify_all();
  }

  // One pass (mutex held): starts what may run, counts what is refused.
  // Returns when to look again.
  Time Pass(std::shared_ptr<Core> self) {
    const Time now = clock->Now();
    Time next = now + std::chrono::seconds(1);
    for (auto& [name, cs] : checks) {
      if (cs->busy || cs->status != HealthStatus::kUnhealthy) {
        continue;
      }
      std::vector<std::size_t> run;
      for (std::size_t i = 0; i < cs->slots.size(); ++i) {
        Slot& s = cs->slots[i];
        if (s.suppressed_until && now < *s.suppressed_until) {
          next = std::min(next, *s.suppressed_until);
          continue;
        }
        const auto d = s.limiter.Ask(now);
        if (d.verdict == Limiter::Verdict::kRun) {
          s.limiter.Record(now);
          s.suppressed_until.reset();
          run.push_back(i);
        } else if (d.verdict == Limiter::Verdict::kWait) {
          next = std::min(next, d.retry_at);
        } else {
          ++s.suppressed;
          s.suppressed_until = d.retry_at;
          next = std::min(next, d.retry_at);
          log::Warn("action suppressed",
                    {{"check", name},
                     {"action", s.config.name},
                     {"reason", std::to_string(s.config.limit_burst) + " runs in the last " +
                                    std::to_string(Secs(s.config.limit_interval)) +
                                    "s (limit_burst); the check stays Unhealthy"},
                     {"retry_in", std::to_string(Secs(d.retry_at - now)) + "s"}});
        }
      }
      if (!run.empty()) {
        cs->busy = true;
        ++threads;
        std::thread([self, name = name, cs = cs, run, dry = dry_run, gs = groups] {
          self->RunActions(name, cs, run, dry, gs);
        }).detach();
      }
    }
    return next;
  }
};

ActionRunner::ActionRunner(const procfs::ProcFs& proc, std::shared_ptr<const health::Clock> clock)
    : core_(std::make_shared<Core>(proc, std::move(clock))) {}

ActionRunner::~ActionRunner() { Stop(); }

void ActionRunner::Apply(const config::Config& config) {
  {
    std::lock_guard lock(core_->mutex);
    std::map<std::string, std::shared_ptr<CheckState>> next;
    for (const auto& c : config.checks) {
      if (c.action_list.empty()) {
        continue;
      }
      auto old = core_->checks.find(c.name);
      if (old != core_->checks.end() && old->second->definition == c.definition) {
        next.emplace(c.name, old->second);
        continue;
      }
      auto cs = std::make_shared<CheckState>();
      cs->definition = c.definition;
      for (const auto& a : c.action_list) {
        cs->slots.emplace_back(a);
      }
      next.emplace(c.name, std::move(cs));
    }
    core_->checks = std::move(next);
    // A fresh copy: assigned into, the vector would keep the capacity of the
    // largest config it ever held.
    core_->groups = std::vector(config.process_groups);
    core_->dry_run = config.health.actions_dry_run;
    ++core_->seq;
  }
  core_->wake.notify_all();
  if (!loop_.joinable()) {
    loop_ = std::jthread([core = core_](std::stop_token token) {
      std::unique_lock lock(core->mutex);
      while (!token.stop_requested()) {
        const std::uint64_t seen = core->seq;
        const Time next = core->Pass(core);
        const auto wait = std::clamp<Duration>(next - core->clock->Now(), Duration::zero(),
                                               std::chrono::seconds(1));
        core->wake.wait_for(lock, token, wait, [&] { return core->seq != seen; });
      }
    });
  }
}

void ActionRunner::OnTransition(const health::TransitionEvent& event) {
  {
    std::lock_guard lock(core_->mutex);
    auto it = core_->checks.find(event.name);
    if (it == core_->checks.end()) {
      return;
    }
    CheckState& cs = *it->second;
    cs.status = event.to;
    cs.since = event.at;
    const Time now = core_->clock->Now();
    for (Slot& s : cs.slots) {
      s.limiter.Observe(event.to == HealthStatus::kHealthy, now);
      if (event.to == HealthStatus::kUnhealthy) {
        s.suppressed_until.reset();  // a new trigger: counted if refused
      }
    }
    ++core_->seq;
  }
  core_->wake.notify_all();
}

void ActionRunner::Stop() {
  health::StopLoop(core_->stop, loop_, core_->wake);
  std::unique_lock lock(core_->mutex);
  // Commands see the stop token and are killed; a signal action's waits end.
  core_->idle.wait_for(lock, std::chrono::seconds(5), [&] { return core_->threads == 0; });
}

namespace {

using collectors::MetricDesc;

const MetricDesc kActionDescs[] = {
    {"vitals_actions_total",
     "Actions run on checks that became Unhealthy, by result (success, failure, timeout, "
     "dry_run).",
     prometheus::MetricType::Counter, {"action", "check", "result"}},
    {"vitals_actions_suppressed_total",
     "Action runs refused by the burst limit (limit_burst per limit_interval); the check stays "
     "Unhealthy.",
     prometheus::MetricType::Counter, {"action", "check"}},
    {"vitals_action_last_timestamp_seconds", "Time the action last ran (0: never).",
     prometheus::MetricType::Gauge, {"action", "check"}},
};

}  // namespace

std::span<const collectors::MetricDesc> ActionRunner::Descs() { return kActionDescs; }

void ActionRunner::AddSeries(collectors::MetricSink& out) const {
  const auto& [total, suppressed, last] = kActionDescs;
  std::lock_guard lock(core_->mutex);
  for (const auto& [name, cs] : core_->checks) {
    for (const Slot& s : cs->slots) {
      for (const auto& [result, n] : s.results) {
        out.Add(total, static_cast<double>(n), {s.config.name, name, result});
      }
      out.Add(suppressed, static_cast<double>(s.suppressed), {s.config.name, name});
      out.Add(last, s.last_run ? Epoch(*s.last_run) : 0, {s.config.name, name});
    }
  }
}

std::vector<config::ProcessGroupConfig> ActionRunner::groups() const {
  std::lock_guard lock(core_->mutex);
  return core_->groups;
}

nlohmann::json ActionRunner::State() const {
  nlohmann::json out = nlohmann::json::object();
  std::lock_guard lock(core_->mutex);
  const Time now = core_->clock->Now();
  for (const auto& [name, cs] : core_->checks) {
    nlohmann::json actions = nlohmann::json::array();
    for (Slot& s : cs->slots) {
      nlohmann::json a;
      a["name"] = s.config.name;
      a["type"] = s.config.type;
      a["target"] = Target(s.config);
      a["results"] = s.results;
      std::uint64_t runs = 0;
      for (const auto& [r, n] : s.results) {
        runs += n;
      }
      a["runs"] = runs;
      a["suppressed"] = s.suppressed;
      a["last_run"] = s.last_run ? nlohmann::json(Epoch(*s.last_run)) : nlohmann::json();
      a["last_result"] = s.last_result.empty() ? nlohmann::json() : nlohmann::json(s.last_result);
      a["last_detail"] = s.last_detail;
      a["last_duration_seconds"] = s.last_duration;
      a["runs_in_window"] = s.limiter.RunsInWindow(now);
      a["limit_burst"] = s.config.limit_burst;
      a["limit_interval_seconds"] = Secs(s.config.limit_interval);
      a["consecutive_runs"] = s.limiter.consecutive();
      const auto next = s.limiter.next_allowed();
      const bool suppressing = s.suppressed_until && now < *s.suppressed_until;
      a["state"] = s.running                ? "running"
                   : suppressing            ? "suppressed"
                   : next && now < *next    ? "backoff"
                                            : "ready";
      a["next_allowed_in_seconds"] =
          suppressing ? Secs(*s.suppressed_until - now)
                      : next && now < *next ? Secs(*next - now) : 0.0;
      actions.push_back(std::move(a));
    }
    nlohmann::json c;
    c["status"] = cs->status ? nlohmann::json(std::string(health::StatusName(*cs->status)))
                             : nlohmann::json();
    c["dry_run"] = core_->dry_run;
    c["actions"] = std::move(actions);
    out[name] = std::move(c);
  }
  return out;
}

}  // namespace vitals::actions
