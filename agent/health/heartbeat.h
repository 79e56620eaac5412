#pragma once
// Heartbeats: the `heartbeat` check kind. A worker or cron job reports in
// (agent/http/heartbeat_handler.h): a beat (the job is alive or a run
// finished well), a start (a run began: with the next beat, its duration), a
// failure (Unhealthy at once, until the next beat), or an exit status (0 is a
// beat, anything else a failure with that status), each with an optional
// short output that the status page shows.
//
// Misses are counted from time stamps, not from check runs, so the cadence
// of the scheduler does not change the meaning (it only bounds how late a
// miss is seen). With period P, grace G and N = failures_before_unhealthy:
//
//   last beat at t0 (or the check's creation, before the first beat)
//   t0 .. t0+P+G        Healthy ("late" past t0+P)
//   t0+P+G              1st miss: Degraded when N > 1
//   t0+P+G+(k-1)*P      k-th miss; at k = N Unhealthy
//
// so a worker beating every 200 ms with P=500ms, G=300ms, N=2 is Unhealthy
// 1.3 s after its last beat. With a cron schedule instead of a period, the
// k-th expected run is the k-th run of the schedule after t0, and its miss
// comes at that run + G: a nightly job at 02:00 with G=30m is late at 02:30
// and not an arbitrary period after its last run. The scheduler's own
// hysteresis is set to 1 for this kind: the counting happens here, and one
// beat brings it back.
//
// Thread contract: Ping/state may be called from HTTP workers while Run
// runs on the scheduler; one mutex guards the state.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/health/check.h"
#include "agent/health/clock.h"
#include "collectors/collector.h"

namespace vitals::health {

// The next run of a schedule strictly after a time, if there is one.
using NextRunFn = std::function<std::optional<WallTime>(WallTime after)>;

struct HeartbeatSpec {
  Duration period = std::chrono::seconds(60);
  Duration grace = std::chrono::seconds(60);
  std::uint32_t misses_allowed = 1;  // failures_before_unhealthy: misses that make it Unhealthy
  std::string token;
  NextRunFn schedule = nullptr;  // set: beats are due at its runs, not every period
  std::string schedule_text = {};  // "0 2 * * * Europe/Berlin", for descriptions
};

enum class PingKind { kSuccess, kStart, kFail };

// The output kept of a ping's body: enough for a line on the status page.
inline constexpr std::size_t kMaxOutputBytes = 1024;
// Misses of a schedule counted at most (each is a run of the schedule).
inline constexpr std::uint32_t kMaxScheduledMisses = 1000;

// A copy of what a heartbeat check knows, for /metrics and /debug/state.
struct HeartbeatState {
  std::optional<WallTime> last_beat, last_start, last_fail;
  std::optional<double> last_job_seconds;  // from /start to the next beat or /fail
  std::uint64_t beats = 0, starts = 0, fails = 0;
  std::uint64_t rejected = 0;  // wrong or missing token
  // The worker, when it says who it is (?pid=): the pid that reported last,
  // since when, and how many different pids have reported (its starts).
  std::optional<int> pid;
  std::optional<WallTime> pid_since;
  std::uint64_t worker_starts = 0;
  std::uint32_t misses = 0;  // as of the last evaluation
  std::optional<int> exit_code;  // the last one reported (/<exit-code>)
  std::string output;            // the body of the last beat or failure, capped
};

class HeartbeatCheck final : public Check {
 public:
  HeartbeatCheck(HeartbeatSpec spec, std::shared_ptr<const Clock> clock);

  CheckResult Run(const CheckContext& ctx) override;

  // `exit_code`: what the job reported with a beat (0) or a failure (other);
  // `output`: the request's body, kept up to kMaxOutputBytes (beats and
  // failures only: a start keeps the last run's output).
  void Ping(PingKind kind, std::optional<int> pid, std::optional<int> exit_code = std::nullopt,
            std::string_view output = {});
  // Constant-time comparison with the configured token.
  bool TokenMatches(std::string_view token) const;
  void CountRejected();

  HeartbeatState state() const;
  const HeartbeatSpec& spec() const { return spec_; }

 private:
  const HeartbeatSpec spec_;
  const std::shared_ptr<const Clock> clock_;
  // The next run of the schedule after `base` that has not been missed yet,
  // and the misses before it (mutex_ held).
  void AdvanceSchedule(WallTime now);

  mutable std::mutex mutex_;  // guards everything below
  SteadyTime base_;           // the last beat, or the creation
  WallTime base_wall_;        // the same on the wall clock (schedules)
  std::optional<WallTime> due_;  // with a schedule: the first run not yet missed
  std::uint32_t scheduled_misses_ = 0;
  std::optional<SteadyTime> start_steady_;
  bool failed_ = false;  // a /fail came after the last beat
  HeartbeatState state_;
};

// The heartbeat checks of the running config, by name, for the HTTP handler.
// Apply-time protocol (HealthService::Apply): Prepare() for each heartbeat
// check (it returns the existing object when name and definition are
// unchanged, as the scheduler keeps it), then Commit() to drop the others.
class HeartbeatRegistry {
 public:
  explicit HeartbeatRegistry(std::shared_ptr<const Clock> clock) : clock_(std::move(clock)) {}

  std::shared_ptr<HeartbeatCheck> Prepare(const std::string& name, const std::string& definition,
                                          HeartbeatSpec spec);
  void Commit();

  std::shared_ptr<HeartbeatCheck> Find(std::string_view name) const;
  // The check whose token this is (each token names one check), comparing
  // with every check's in constant time; null for none.
  std::shared_ptr<HeartbeatCheck> FindByToken(std::string_view token) const;
  std::vector<std::pair<std::string, std::shared_ptr<HeartbeatCheck>>> All() const;
  // Each check's last output (what its job sent), by check: the status page's.
  std::map<std::string, std::string> Outputs() const;
  void CountUnknown();       // a request for a check that does not exist
  void CountUnknownToken();  // a /ping/<token> whose token is no check's

  // vitals_heartbeat_last_timestamp_seconds, _job_duration_seconds,
  // _exit_code, _pings_total{type}, _rejected_total{reason}.
  void AddSeries(collectors::MetricSink& out) const;
  static std::span<const collectors::MetricDesc> Descs();

 private:
  struct Item {
    std::string definition;
    std::shared_ptr<HeartbeatCheck> check;
  };
  std::shared_ptr<const Clock> clock_;
  mutable std::mutex mutex_;  // guards the maps and unknown_
  std::map<std::string, Item, std::less<>> items_, pending_;
  std::uint64_t unknown_ = 0;
  std::uint64_t unknown_tokens_ = 0;
};

}  // namespace vitals::health
