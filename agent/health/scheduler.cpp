#include "agent/health/scheduler.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <random>
#include <sstream>

#include "agent/health/loop.h"
#include "agent/health/threshold.h"
#include "agent/log/log.h"

namespace vitals::health {

namespace {

std::string Seconds(Duration d) {
  std::ostringstream out;
  out.imbue(std::locale::classic());
  out << std::chrono::duration<double>(d).count() << "s";
  return out.str();
}

}  // namespace

namespace detail {

// One check and everything known about it. Guarded by Core::mutex.
struct Entry {
  CheckSpec spec;
  HysteresisState hysteresis;
  bool has_result = false;
  HealthStatus last_raw = HealthStatus::kUnhealthy;
  CheckResult last;
  std::optional<std::string> error;
  Duration duration = Duration::zero();
  SteadyTime completed{};
  WallTime completed_wall{};
  std::uint64_t transitions = 0;
  std::uint32_t consecutive_failures = 0;
  WallTime created_wall{};
  WallTime since_wall{};  // first result or last transition
  std::vector<ResultMark> recent;  // at most kRecentResults, oldest first
  SteadyTime next_due{};
  // The current run, if any.
  bool running = false;
  bool abandoned = false;  // timed out; its thread is still out
  bool removed = false;    // dropped by Apply while running
  std::uint64_t run_id = 0;
  SteadyTime started{};
  SteadyTime deadline{};
};

}  // namespace detail

using detail::Entry;

struct Scheduler::Core {
  explicit Core(Options o) : options(std::move(o)) {
    if (options.max_concurrency == 0) {
      options.max_concurrency = 1;
    }
    rng.seed(options.seed != 0
                 ? options.seed
                 : static_cast<std::uint64_t>(options.clock->Now().time_since_epoch().count()));
  }

  Options options;
  mutable std::mutex mutex;  // guards everything below but listeners
  std::condition_variable_any wake;      // the loop: a run finished, config changed, stop
  std::uint64_t wake_seq = 0;            // bumped (under the mutex) with every wake
  mutable std::condition_variable idle;  // WaitIdleForTest, Stop
  std::map<std::string, std::shared_ptr<Entry>> entries;
  std::size_t in_flight = 0;  // runs started and not abandoned
  std::uint64_t next_run_id = 1;
  Duration task_interval = Duration::zero();
  std::function<void()> task;
  SteadyTime task_due{};
  std::uint64_t task_version = 0;  // bumped by SetTask
  std::uint64_t task_done = 0;     // task_version of the last finished run (WaitForTask)
  std::mt19937_64 rng;
  std::stop_source stop;

  std::mutex listener_mutex;  // guards listeners; held while they are called
  std::vector<Listener> listeners;

  Duration Jitter(Duration max) {
    if (max <= Duration::zero()) {
      return Duration::zero();
    }
    std::uniform_int_distribution<Duration::rep> dist(0, max.count());
    return Duration(dist(rng));
  }

  // Applies one result to an entry (mutex held). Returns the event to emit.
  std::optional<TransitionEvent> Record(Entry& entry, CheckResult result,
                                        std::optional<std::string> error, SteadyTime finished) {
    if (error) {
      result = CheckResult::Of(entry.spec.on_error, *error);
    }
    const bool first = !entry.has_result;
    const std::optional<HealthStatus> before = entry.hysteresis.status();
    const bool changed = entry.hysteresis.Apply(result.status, entry.spec.hysteresis);
    entry.has_result = true;
    entry.last_raw = result.status;
    entry.consecutive_failures =
        result.status == HealthStatus::kHealthy ? 0 : entry.consecutive_failures + 1;
    entry.error = std::move(error);
    entry.duration = finished - entry.started;
    entry.completed = finished;
    entry.completed_wall = options.clock->WallNow();
    if (entry.recent.size() == kRecentResults) {
      entry.recent.erase(entry.recent.begin());
    }
    entry.recent.push_back({entry.completed_wall, result.status});
    entry.last = std::move(result);
    if (changed) {
      ++entry.transitions;
    }
    if (first || changed) {
      entry.since_wall = entry.completed_wall;
    }
    if (!first && !changed) {
      return std::nullopt;
    }
    return TransitionEvent{entry.spec.name, first ? std::nullopt : before,
                           *entry.hysteresis.status(), entry.last.description,
                           entry.completed_wall};
  }

  void Notify(const std::vector<TransitionEvent>& events) {
    if (events.empty()) {
      return;
    }
    std::lock_guard lock(listener_mutex);
    if (stop.stop_requested()) {
      return;  // after Stop() no listener is called: their owners may be gone
    }
    for (const auto& event : events) {
      for (const auto& listener : listeners) {
        listener(event);
      }
    }
  }
};

namespace {

// The body of one run thread. Owns shared references to everything it
// touches, so an abandoned run may outlive the Scheduler safely.
void RunThread(std::shared_ptr<Scheduler::Core> core, std::shared_ptr<Entry> entry,
               std::uint64_t run_id, std::shared_ptr<Check> check, CheckContext ctx) {
  CheckResult result;
  std::optional<std::string> error;
  try {
    result = check->Run(ctx);
    const auto raw = static_cast<unsigned>(result.status);
    if (raw > static_cast<unsigned>(HealthStatus::kHealthy)) {
      error = "returned an invalid status (" + std::to_string(raw) + ")";
    } else if (result.value && !std::isfinite(*result.value)) {
      error = "returned a value that is not a finite number";
    }
  } catch (const CheckError& e) {
    error = e.what();
  } catch (const std::exception& e) {
    error = std::string("threw: ") + e.what();
  } catch (...) {
    error = "threw an unknown exception";
  }
  const SteadyTime finished = core->options.clock->Now();
  std::vector<TransitionEvent> events;
  bool abandoned = false;
  {
    std::lock_guard lock(core->mutex);
    if (!entry->running || entry->run_id != run_id) {
      return;
    }
    abandoned = entry->abandoned;
    if (abandoned) {
      log::Warn("abandoned check run returned", {{"check", entry->spec.name},
                                                 {"overran", Seconds(finished - entry->deadline)}});
    }
    entry->running = false;
    entry->abandoned = false;
    if (!abandoned && !entry->removed && !core->stop.stop_requested()) {
      if (auto event = core->Record(*entry, std::move(result), std::move(error), finished)) {
        events.push_back(std::move(*event));
      }
    }
  }
  // The run counts as in flight until its transition has been delivered, so
  // whoever waits for the scheduler to be idle (Stop, tests) sees its event.
  core->Notify(events);
  {
    std::lock_guard lock(core->mutex);
    if (!abandoned) {
      --core->in_flight;  // (an abandoned run was uncounted when abandoned)
    }
    ++core->wake_seq;
  }
  core->wake.notify_all();
  core->idle.notify_all();
}

}  // namespace

Scheduler::Scheduler(Options options) : core_(std::make_shared<Core>(std::move(options))) {}

Scheduler::~Scheduler() { Stop(); }

std::vector<std::string> Scheduler::Apply(std::vector<CheckSpec> specs) {
  std::vector<std::string> kept;
  {
    std::lock_guard lock(core_->mutex);
    const SteadyTime now = core_->options.clock->Now();
    std::map<std::string, std::shared_ptr<Entry>> next;
    for (CheckSpec& spec : specs) {
      auto old = core_->entries.find(spec.name);
      if (old != core_->entries.end() && !spec.definition.empty() &&
          old->second->spec.definition == spec.definition) {
        kept.push_back(spec.name);
        next.emplace(spec.name, std::move(old->second));
        core_->entries.erase(old);
        continue;
      }
      auto entry = std::make_shared<Entry>();
      entry->next_due = SaturatingAdd(now, core_->Jitter(spec.jitter));
      entry->created_wall = core_->options.clock->WallNow();
      std::string name = spec.name;
      entry->spec = std::move(spec);
      next.emplace(std::move(name), std::move(entry));
    }
    for (auto& [name, entry] : core_->entries) {
      entry->removed = true;  // a run still out is discarded when it returns
    }
    core_->entries = std::move(next);
    ++core_->wake_seq;
  }
  core_->wake.notify_all();
  return kept;
}

void Scheduler::SetTask(Duration interval, std::function<void()> task) {
  {
    std::lock_guard lock(core_->mutex);
    core_->task_interval = interval;
    core_->task = interval > Duration::zero() ? std::move(task) : nullptr;
    core_->task_due = core_->options.clock->Now();
    ++core_->task_version;
    ++core_->wake_seq;
  }
  core_->wake.notify_all();
}

bool Scheduler::WaitForTask(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(core_->mutex);
  return core_->idle.wait_for(lock, timeout,
                              [&] { return core_->task_done == core_->task_version; });
}

void Scheduler::Subscribe(Listener listener) {
  std::lock_guard lock(core_->listener_mutex);
  core_->listeners.push_back(std::move(listener));
}

void Scheduler::Start() {
  if (loop_.joinable()) {
    return;
  }
  loop_ = std::jthread([this](std::stop_token token) {
    std::unique_lock lock(core_->mutex, std::defer_lock);
    while (!token.stop_requested()) {
      lock.lock();
      const std::uint64_t seen = core_->wake_seq;  // before Tick: no wake is missed
      lock.unlock();
      const SteadyTime next = Tick();
      // The loop sleeps on the real clock; with a real Clock both agree, and
      // a ManualClock is only used with Tick() called by the test itself.
      const auto wait = std::clamp(next - core_->options.clock->Now(), Duration::zero(),
                                   Duration(std::chrono::seconds(1)));
      lock.lock();
      core_->wake.wait_for(lock, token, wait, [&] { return core_->wake_seq != seen; });
      lock.unlock();
    }
  });
}

void Scheduler::Stop() {
  StopLoop(core_->stop, loop_, core_->wake);
  {
    // Runs see the stop token; give the well-behaved ones a moment to return
    // so that a clean shutdown leaves no thread behind.
    std::unique_lock lock(core_->mutex);
    core_->idle.wait_for(lock, std::chrono::seconds(2), [&] { return core_->in_flight == 0; });
  }
  std::lock_guard lock(core_->listener_mutex);
  core_->listeners.clear();
}

SteadyTime Scheduler::Tick() {
  Core& core = *core_;
  std::vector<TransitionEvent> events;
  std::function<void()> task;
  std::uint64_t task_version = 0;
  SteadyTime now = core.options.clock->Now();
  {
    std::lock_guard lock(core.mutex);
    if (core.stop.stop_requested()) {
      return now + std::chrono::seconds(1);
    }
    for (auto& [name, entry] : core.entries) {
      if (entry->running && !entry->abandoned &&
          now >= SaturatingAdd(entry->deadline, kAbandonGrace)) {
        log::Warn("check run abandoned at its deadline, its thread still runs",
                  {{"check", name}, {"timeout", Seconds(entry->spec.timeout)}});
        entry->abandoned = true;
        --core.in_flight;
        if (auto event = core.Record(*entry, CheckResult{},
                                     "timed out after " + Seconds(entry->spec.timeout), now)) {
          events.push_back(std::move(*event));
        }
      }
    }
    if (core.task && now >= core.task_due) {
      task = core.task;
      task_version = core.task_version;
      core.task_due = SaturatingAdd(now, core.task_interval);
    }
  }
  if (task) {
    task();  // the sampler: before the checks, so they see a fresh sample
    {
      std::lock_guard lock(core.mutex);
      core.task_done = task_version;
    }
    core.idle.notify_all();
    now = core.options.clock->Now();
  }

  struct Launch {
    std::shared_ptr<Entry> entry;
    std::uint64_t run_id;
    std::shared_ptr<Check> check;
    CheckContext ctx;
  };
  std::vector<Launch> launches;
  SteadyTime next = now + std::chrono::seconds(1);
  {
    std::lock_guard lock(core.mutex);
    std::vector<std::shared_ptr<Entry>> due;
    for (auto& [name, entry] : core.entries) {
      if (!entry->running && now >= entry->next_due) {
        due.push_back(entry);
      }
    }
    std::sort(due.begin(), due.end(),
              [](const auto& a, const auto& b) { return a->next_due < b->next_due; });
    for (auto& entry : due) {
      if (core.in_flight >= core.options.max_concurrency) {
        break;  // the rest start when a run finishes (it wakes the loop)
      }
      entry->running = true;
      entry->run_id = core.next_run_id++;
      entry->started = now;
      entry->deadline = SaturatingAdd(now, entry->spec.timeout);
      entry->next_due = SaturatingAdd(SaturatingAdd(now, entry->spec.interval),
                                      core.Jitter(entry->spec.jitter));
      ++core.in_flight;
      launches.push_back({entry, entry->run_id, entry->spec.check,
                          CheckContext{now, entry->deadline, core.stop.get_token()}});
    }
    for (auto& [name, entry] : core.entries) {
      if (entry->running && !entry->abandoned) {
        next = std::min(next, SaturatingAdd(entry->deadline, kAbandonGrace));
      } else if (!entry->running &&
                 (entry->next_due > now || core.in_flight < core.options.max_concurrency)) {
        // (a due check waiting for a free slot is woken by the run that frees it)
        next = std::min(next, entry->next_due);
      }
    }
    if (core.task) {
      next = std::min(next, core.task_due);
    }
  }
  for (auto& launch : launches) {
    std::thread(RunThread, core_, std::move(launch.entry), launch.run_id, std::move(launch.check),
                launch.ctx)
        .detach();
  }
  core.Notify(events);
  return next;
}

Snapshot Scheduler::snapshot() const {
  Snapshot out;
  std::lock_guard lock(core_->mutex);
  const SteadyTime now = core_->options.clock->Now();
  out.entries.reserve(core_->entries.size());
  for (const auto& [name, entry] : core_->entries) {
    EntrySnapshot s;
    s.name = name;
    s.kind = entry->spec.kind;
    s.tags = entry->spec.tags;
    s.transitions = entry->transitions;
    s.consecutive_failures = entry->consecutive_failures;
    s.recent = entry->recent;
    if (!entry->has_result) {
      s.since = entry->created_wall;
      s.pending = true;
      s.status = HealthStatus::kUnhealthy;
      s.description = "pending: no result yet";
      out.entries.push_back(std::move(s));
      continue;
    }
    s.status = *entry->hysteresis.status();
    s.since = entry->since_wall;
    s.description = entry->last.description;
    s.data = entry->last.data;
    s.error = entry->error;
    s.duration = entry->duration;
    s.last_run = entry->completed_wall;
    s.value = entry->last.value;
    if (entry->last_raw != s.status) {
      const auto& h = entry->spec.hysteresis;
      const bool worse = entry->last_raw < s.status;
      s.description += " (" + std::string(StatusName(entry->last_raw)) + " " +
                       std::to_string(worse ? entry->hysteresis.failures_in_row()
                                            : entry->hysteresis.successes_in_row()) +
                       " of " +
                       std::to_string(worse ? h.failures_before_unhealthy
                                            : h.successes_before_healthy) +
                       " in a row before the status changes)";
    }
    const Duration age = now - entry->completed;
    const Duration bound = entry->spec.EffectiveStaleness();
    if (age > bound) {
      s.stale = true;
      s.status = HealthStatus::kUnhealthy;
      s.since = entry->completed_wall + std::chrono::duration_cast<WallTime::duration>(bound);
      s.description = "stale: last result " + Seconds(age) + " ago, bound " + Seconds(bound) +
                      (entry->running ? "; a run is still out" : "");
    }
    out.entries.push_back(std::move(s));
  }
  return out;
}

bool Scheduler::WaitIdleForTest(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(core_->mutex);
  return core_->idle.wait_for(lock, timeout, [&] { return core_->in_flight == 0; });
}

}  // namespace vitals::health
