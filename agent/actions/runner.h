#pragma once
// ActionRunner: runs a check's actions when the health scheduler reports a
// transition into Unhealthy (after hysteresis), and again while it stays
// Unhealthy, within each action's limits (limiter.h). Actions of one check
// run in their configured order on one thread of their own, so a hung
// command never delays another check's actions; a check's actions never run
// twice at the same time.
//
//   restart  systemctl restart --no-ask-password -- <unit>   (see README: why
//            systemctl and not sd-bus)
//   exec     the command, no shell, killed with its whole process tree at timeout
//            (platform/subprocess.h); what it leaves running stays until the agent exits
//   signal   the processes of a declared group: signal, then SIGKILL after grace
//
// Results: success, failure, timeout, dry_run (logged, not run) — counted in
// vitals_actions_total{check,action,result}; suppressed attempts in
// vitals_actions_suppressed_total{check,action}.
//
// Thread contract: every public method may be called from any thread. One
// mutex guards all state; commands run without it.

#include <prometheus/metric_family.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "agent/actions/limiter.h"
#include "agent/health/clock.h"
#include "agent/health/scheduler.h"
#include "collectors/collector.h"
#include "collectors/procfs/proc_fs.h"
#include "config/config.h"

namespace vitals::actions {

class ActionRunner {
 public:
  ActionRunner(const procfs::ProcFs& proc, std::shared_ptr<const health::Clock> clock);
  ~ActionRunner();  // Stop()
  ActionRunner(const ActionRunner&) = delete;
  ActionRunner& operator=(const ActionRunner&) = delete;

  // The checks' actions; a check whose definition is unchanged keeps its
  // counters and limits. Starts the runner's thread on the first call.
  void Apply(const config::Config& config);
  // Subscribe this to the scheduler.
  void OnTransition(const health::TransitionEvent& event);
  // Kills running commands, joins every thread.
  void Stop();

  // vitals_actions_total, _suppressed_total, vitals_action_last_timestamp_seconds.
  void AddSeries(collectors::MetricSink& out) const;
  static std::span<const collectors::MetricDesc> Descs();
  // Per check: its actions with counters, limits and the last result.
  nlohmann::json State() const;
  // The process groups of the running config (for the workers of signal actions).
  std::vector<config::ProcessGroupConfig> groups() const;

  struct Core;  // opaque; public so the .cpp's threads can name it

 private:
  std::shared_ptr<Core> core_;
  std::jthread loop_;
};

}  // namespace vitals::actions
