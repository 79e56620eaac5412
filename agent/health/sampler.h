#pragma once
// Sampler: reads the values threshold checks compare, on the scheduler
// (Scheduler::SetTask), independent of scrapes, so rules hold when nobody
// scrapes. Ratios that need two readings (CPU) are computed between this
// sample and the previous one. Every value is exported as a gauge
// (vitals_sample_*) so a user can graph what a rule saw.
//
// The values are one table, SampledValues() (sampler.cpp): the threshold
// kind's reader, the sampler and vitals_sample_* all read it. A value read
// from a host collector's families (filesystem, diskstats, netdev, ...) is
// only its row (HostSource): the sampler runs that registered collector
// (SetHostCollectors) and combines the families; the others are the row
// and the lines of Sample() that compute them. Group values (per_group)
// come from a GroupReader when process groups exist.
//
// A sample reads only what the values named by SetNeeds() need (the /proc
// files, /proc/pressure/<resource>, host collectors): a host with no check on
// filesystems does not statfs every mount at each sample, and with no value
// named it reads no host file at all. Group values are read whenever a
// GroupReader is set.
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
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "agent/health/clock.h"
#include "agent/health/value_source.h"
#include "collectors/collector.h"
#include "collectors/collector_registry.h"
#include "collectors/procfs/proc_fs.h"

namespace vitals::health {

// How a value comes from a host collector's families, per instance (the
// series' label named by the value's metric, e.g. mountpoint) or once.
enum class Combine {
  kRatio,       // a / b at one sample
  kRaw,         // a
  kAbs,         // |a|
  kPerSecond,   // a's increase per second between two samples
  kShareOfSum,  // increase of a / (increase of a + increase of b) between two
                // samples; 0 when neither grew (nothing failed)
};
struct HostSource {
  std::string_view collector;  // a registered host collector; empty: Sample() itself
  std::string_view a, b;       // family names (b for kRatio and kShareOfSum)
  Combine combine = Combine::kRaw;
  // A family whose value 1 says why an instance has no a or b
  // (node_filesystem_device_error: statfs failed or timed out).
  std::string_view error_family = {};
};

// A value a threshold check may name (its "value" key).
struct SampledValue {
  std::string_view name;  // "host.cpu_busy_ratio", "group.open_fds"
  bool per_group;         // needs a "group"; its series is labelled groupname
  bool higher_is_worse;   // the default direction of a rule on it
  // vitals_sample_*: what rules saw. A host value with a label (mountpoint,
  // device) is per instance: a check names one (the label as key) or a regex
  // (the label plus "s": "mountpoints") meaning the worst match.
  collectors::MetricDesc metric;
  HostSource from = {};
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
  // Builds the collectors the HostSource rows name from `registry` (this
  // sampler's own instances, run on its thread, with the agent's flags); a
  // row whose collector is not registered fails, saying so. Call before the
  // first Sample().
  void SetHostCollectors(const collectors::CollectorContext& context,
                         const collectors::CollectorRegistry& registry);

  // The values (SampledValues() names) the next samples read, decided when
  // the config is loaded or reloaded; names not in the table are ignored (the
  // config has rejected them). Returns true when a source is read that was
  // not before (its ratios between two samples need a second one).
  bool SetNeeds(const std::set<std::string, std::less<>>& values);

  void Sample();
  std::variant<health::Sample, std::string> Get(const ValueKey& key) const override;
  void AddSeries(collectors::MetricSink& out) const;  // vitals_sample_*

 private:
  using Value = std::variant<health::Sample, std::string>;
  void Put(std::map<std::string, Value>& values, const std::string& key, Value value) const;
  // What one sample reads (SetNeeds).
  struct Reads {
    unsigned files = 0;                          // ProcFile bits (sampler.cpp)
    std::set<std::string_view> pressure;         // resources under /proc/pressure
    std::set<std::string_view> host_collectors;  // HostSource::collector
  };
  void SampleProcFiles(std::map<std::string, Value>& values, SteadyTime now, unsigned files);
  void SampleHost(std::map<std::string, Value>& values, SteadyTime now,
                  const std::set<std::string_view>& collectors);
  void SamplePressure(std::map<std::string, Value>& values, SteadyTime now,
                      const std::set<std::string_view>& resources);
  // The families of one host collector's run, or why there are none.
  std::variant<std::vector<prometheus::MetricFamily>, std::string> RunCollector(
      std::string_view name);

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
  // The host collectors by name; null: not registered in this build.
  std::map<std::string_view, std::unique_ptr<collectors::Collector>> host_collectors_;
  struct Counters {
    double a = 0, b = 0;
    SteadyTime taken{};
  };
  std::map<std::string, Counters> last_counters_;  // by value key, for rates
  SteadyTime last_time_{};
  std::size_t cpus_ = 0;

  mutable std::mutex mutex_;  // guards values_, group_reader_, reads_
  Reads reads_;
  // Keys: the value name, plus "/<group>" for group values.
  std::map<std::string, Value> values_;
  GroupReader group_reader_;
};

}  // namespace vitals::health
