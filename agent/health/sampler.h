#pragma once
// Sampler: reads the values threshold checks compare, on the scheduler
// (Scheduler::SetTask), independent of scrapes, so rules hold when nobody
// scrapes. Ratios that need two readings (CPU) are computed between this
// sample and the previous one. Every value is exported as a gauge
// (vitals_sample_*) so a user can graph what a rule saw.
//
// The values are one table, SampledValues() (sampler.cpp): the threshold
// kind's reader, the sampler and vitals_sample_* all read it, so adding a
// value is a row there and the lines of Sample() that compute it. Group
// values (per_group) come from a GroupReader when process groups exist.
//
// Thread contract: Sample() runs on one thread at a time (the scheduler's);
// Get() and AddSeries() may be called from any thread.

#include <prometheus/metric_family.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "agent/health/clock.h"
#include "agent/health/value_source.h"
#include "collectors/collector.h"
#include "collectors/procfs/proc_fs.h"

namespace vitals::health {

// A value a threshold check may name (its "value" key).
struct SampledValue {
  std::string_view name;  // "host.cpu_busy_ratio", "group.open_fds"
  bool per_group;         // needs a "group"; its series is labelled groupname
  bool higher_is_worse;   // the default direction of a rule on it
  collectors::MetricDesc metric;  // vitals_sample_*: what rules saw
};
std::span<const SampledValue> SampledValues();

// What the sampler needs about one process group at one instant.
struct GroupReading {
  double num_procs = 0;
  double cpu_seconds = 0;  // user + system, cumulative
  double memory_rss_bytes = 0;
  double num_threads = 0;
  double open_fds = 0;
  double worst_fd_ratio = 0;
};
// Reads every group in one pass, or says why it could not.
using GroupReader =
    std::function<std::variant<std::map<std::string, GroupReading>, std::string>()>;

class Sampler final : public ValueSource {
 public:
  // The host CPU ratio is computed over at least this much time: a sample
  // taken sooner after the last reading keeps that reading as the base and
  // the ratio it had (a few clock ticks make no ratio: 0 or 1, or "no CPU
  // time passed"). HealthService primes the sampler with one reading this
  // long before the first checks.
  static constexpr std::chrono::milliseconds kMinCpuInterval{100};

  Sampler(procfs::ProcFs proc, std::shared_ptr<const Clock> clock);

  // Replaces the group reader (on reload); nullptr when there are no groups.
  void SetGroupReader(GroupReader reader);

  void Sample();
  std::variant<health::Sample, std::string> Get(const ValueKey& key) const override;
  void AddSeries(collectors::MetricSink& out) const;  // vitals_sample_*

 private:
  using Value = std::variant<health::Sample, std::string>;
  void Put(std::map<std::string, Value>& values, const std::string& key, Value value) const;

  procfs::ProcFs proc_;
  std::shared_ptr<const Clock> clock_;
  std::string buffer_;  // reused by Sample()

  // Previous readings for the ratios, owned by the sampling thread.
  struct CpuReading {
    double busy = 0;
    double total = 0;
    SteadyTime taken{};
  };
  std::optional<CpuReading> last_cpu_;
  std::map<std::string, double> last_group_cpu_;
  SteadyTime last_time_{};
  std::size_t cpus_ = 0;

  mutable std::mutex mutex_;  // guards values_, group_reader_
  // Keys: the value name, plus "/<group>" for group values.
  std::map<std::string, Value> values_;
  GroupReader group_reader_;
};

}  // namespace vitals::health
