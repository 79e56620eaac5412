#pragma once
// Scheduler: runs checks in the background, each on its own interval with
// jitter and a timeout, with at most `max_concurrency` runs at a time, and
// publishes their results as a snapshot that /health and /metrics copy.
// A scrape or a health request never runs a check.
//
// Timeouts: a run executes on its own thread and is handed its deadline;
// probes stop there and report why (what they killed, what they read). When a
// run is still out kAbandonGrace after its deadline, the scheduler records the check's on_error status ("timed out after 2s")
// at once, stops counting that thread against max_concurrency (so a stuck
// check never starves the others) and abandons it: the thread is detached
// and whatever it returns later is discarded. The same check is not started
// again until its abandoned run has returned, so stuck threads are bounded by
// the number of checks, never by time. (C++ cannot kill a thread; a bounded
// pool that replaces stuck workers and this are the same idea, this one has
// less code.) While an abandoned run is still out, the check keeps reporting
// its timeout, and the staleness bound turns it Unhealthy if it never returns.
//
// The grace is what a probe that honours its deadline needs to kill, reap and
// return; without it the two race and the probe's own reason is lost.
//
// Thread contract: every public method may be called from any thread. One
// mutex guards all entries; listeners are called without it held.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/health/check.h"
#include "agent/health/clock.h"
#include "agent/health/status.h"

namespace vitals::health {

// How long past its deadline a run may take before it is abandoned.
inline constexpr Duration kAbandonGrace = std::chrono::milliseconds(500);

// One result as it came in (before hysteresis), for a strip of recent results.
struct ResultMark {
  WallTime at;
  HealthStatus status;
};

// Results kept per check for that strip.
inline constexpr std::size_t kRecentResults = 20;

// What one check reports right now: the hysteresis status, or Unhealthy when
// it has no result yet ("pending", as Consul starts checks critical) or its
// last result is older than its staleness bound.
struct EntrySnapshot {
  std::string name;
  std::string kind;
  std::set<std::string> tags;
  HealthStatus status = HealthStatus::kUnhealthy;
  std::string description;
  nlohmann::json data = nlohmann::json::object();
  std::optional<std::string> error;  // why the last run failed (exception, timeout, garbage)
  Duration duration = Duration::zero();  // of the last run
  std::optional<WallTime> last_run;      // when the last result arrived
  std::optional<double> value;           // what a threshold rule saw
  std::uint64_t transitions = 0;         // changes of the reported status
  std::uint32_t consecutive_failures = 0;  // results in a row that were not Healthy
  // When the reported status began: the check's creation while pending, its
  // first result or last transition, the moment its last result went stale.
  WallTime since{};
  std::vector<ResultMark> recent;  // the last kRecentResults results, oldest first
  bool stale = false;
  bool pending = false;
};

struct Snapshot {
  std::vector<EntrySnapshot> entries;  // sorted by name
};

// Emitted when the reported status of a check changes, and for its first
// result (`from` empty). The actions issue subscribes to these.
struct TransitionEvent {
  std::string name;
  std::optional<HealthStatus> from;
  HealthStatus to;
  std::string description;
  WallTime at;
};

class Scheduler {
 public:
  struct Options {
    std::size_t max_concurrency = 4;
    std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>();
    std::uint64_t seed = 0;  // jitter; 0 seeds from the clock
  };
  using Listener = std::function<void(const TransitionEvent&)>;

  explicit Scheduler(Options options);
  ~Scheduler();  // Stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Replaces the set of checks in one step. A check whose name and
  // definition are unchanged keeps its state, history, schedule and Check
  // object (the new one is dropped); every other check starts fresh.
  // Returns the names of the checks that kept their state.
  std::vector<std::string> Apply(std::vector<CheckSpec> specs);

  // A background task run on the scheduler thread before the checks that are
  // due (the sampler); interval zero removes it. Must be quick and not throw.
  void SetTask(Duration interval, std::function<void()> task);
  // Waits (in real time) until the task last set has run once; false on
  // timeout. A reload waits so that what the old task's state held (the
  // sampler's samples of groups that are gone) is freed when it returns.
  bool WaitForTask(std::chrono::milliseconds timeout) const;

  // Listeners are called on a worker or scheduler thread, without locks held.
  void Subscribe(Listener listener);

  void Start();  // the background thread; without it, nothing runs but Tick()
  void Stop();   // cancels runs (stop_token) and joins the background thread

  // One pass: records timeouts, runs the task when due, starts the checks
  // that are due. Returns when the next pass is needed. Start() calls it in
  // a loop; tests on a ManualClock call it directly.
  SteadyTime Tick();

  Snapshot snapshot() const;

  // Waits (in real time) until no run is in flight that has not been
  // abandoned; false on timeout.
  bool WaitIdleForTest(std::chrono::milliseconds timeout) const;

  struct Core;  // opaque; public only so the run threads in the .cpp can name it

 private:
  std::shared_ptr<Core> core_;  // shared with run threads that outlive a Stop()
  std::jthread loop_;
};

}  // namespace vitals::health
