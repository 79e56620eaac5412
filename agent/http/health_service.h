#pragma once
// HealthService: the health model wired to the agent. Owns the scheduler and
// the sampler, turns the config's checks into CheckSpecs (keeping the state of
// unchanged ones on reload), serves /health[/<group or check>][?tag=a,b] and
// gives /metrics its families (Sources).
// Part of vitals_http (it speaks http::Response); the model itself is in
// vitals_health, which knows no HTTP.
// Thread contract: every method may be called from any thread; Apply() calls
// are serialized by the caller (startup, then SIGHUP or POST /-/reload).

#include <prometheus/metric_family.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "agent/health/heartbeat.h"
#include "agent/health/report.h"
#include "agent/health/sampler.h"
#include "agent/health/scheduler.h"
#include "agent/http/server.h"
#include "collectors/process/process_collector.h"
#include "collectors/procfs/proc_fs.h"
#include "config/config.h"

namespace vitals::http {

class HealthService {
 public:
  // `process_groups`: the collector the scrape uses (one set of groups and
  // counters for /metrics and the checks; a reload re-groups it, App);
  // null: no group values. `host`: the context the sampler builds its own
  // host collectors from (filesystem, netdev, ...); null: no such values.
  explicit HealthService(const procfs::ProcFs& proc,
                         std::shared_ptr<collectors::ProcessCollector> process_groups = nullptr,
                         const collectors::CollectorContext* host = nullptr);
  ~HealthService();

  // Values (SampledValues() names) sampled whatever the checks name: what
  // the status page shows. Call before the first Apply().
  void KeepSampling(std::vector<std::string> values) { kept_sampled_ = std::move(values); }
  // Applies a validated configuration in one step and starts the scheduler
  // on the first call. Returns the checks that kept their state.
  std::vector<std::string> Apply(const config::Config& config);
  // Records the outcome of a reload attempt for the vitals_config_* gauges.
  void RecordReload(bool ok);

  Response Handle(const Request& request) const;
  // Its families for the scrape, each source a collector: "health"
  // (vitals_check_*, vitals_health_status, vitals_config_last_reload_*),
  // "probes" (vitals_probe_*), "samples" (vitals_sample_*), "heartbeats"
  // (vitals_heartbeat_*). They read the last results; none runs a check.
  std::vector<std::shared_ptr<collectors::Collector>> Sources() const;
  // The sampler's vitals_sample_* families alone (what the status page reads).
  std::vector<prometheus::MetricFamily> SampleFamilies() const {
    collectors::MetricSink sink;
    sampler_->AddSeries(sink);
    return sink.Take();
  }

  // Self-healing (issue 6): transition listeners (the action runner), added
  // before the first Apply; the current snapshot; the heartbeat checks.
  void Subscribe(health::Scheduler::Listener listener);
  health::Snapshot snapshot() const;
  health::HeartbeatRegistry& heartbeats() { return *heartbeats_; }
  const health::HeartbeatRegistry& heartbeats() const { return *heartbeats_; }

 private:
  procfs::ProcFs proc_;
  std::shared_ptr<const health::Clock> clock_ = std::make_shared<health::SystemClock>();
  std::shared_ptr<health::Sampler> sampler_;
  std::unique_ptr<health::Scheduler> scheduler_;
  std::shared_ptr<health::HeartbeatRegistry> heartbeats_ =
      std::make_shared<health::HeartbeatRegistry>(clock_);
  std::vector<health::Scheduler::Listener> listeners_;  // handed to the scheduler when it is made
  std::vector<std::string> kept_sampled_;       // KeepSampling
  std::set<std::string, std::less<>> sampled_;  // what the applied checks read; Apply() only

  mutable std::mutex mutex_;  // guards groups_, codes_, reload state
  std::vector<std::string> groups_;  // tag groups: /health/<group>
  health::StatusCodes codes_;
  bool last_reload_ok_ = true;
  double last_success_seconds_ = 0;
};

}  // namespace vitals::http
