#pragma once
// Check kinds. A kind is one unit in the layer it belongs to (threshold and
// process beside the sampler here, heartbeat beside its registry, the probes
// in agent/probes): one file that declares its name, its config keys and
// their reader (config::KindSpec, handed to the config as a table), its
// factory and the data keys of its results that become series, and
// registers itself at its end with one line:
//
//   VITALS_REGISTER_CHECK_KIND(tcp, ProbeKind<TcpSettings, TcpCheck>(...));
//
// Adding a kind is that file, its tests and, for a probe that needs a new
// run-time library, its Debian package (README, "Adding a check kind").
// Whoever links kinds takes their archive whole (vitals_link_whole in
// CMake): nothing references a registration, and a plain static link drops it.
//
// Thread contract: registrations run during static initialization; after
// that the registry is only read.

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/health/check.h"
#include "collectors/collector.h"
#include "config/checks.h"

namespace vitals::health {

class HeartbeatRegistry;
class ValueSource;

// What a kind's factory gets besides the check's config.
struct KindContext {
  // The scheduler's entry being built (name, on_error, hysteresis, ...): a
  // kind may change what it decides itself (a heartbeat counts its own misses).
  CheckSpec& spec;
  std::shared_ptr<const ValueSource> samples;  // the sampler (threshold, process)
  Duration max_sample_age{};                   // older samples are an error
  HeartbeatRegistry* heartbeats = nullptr;     // the heartbeat checks by name
};

// A number in a check's result data (CheckResult::data[key]) exported as a
// series {check="<name>"} of `desc`, when the last run measured it.
struct DataMetric {
  std::string_view key;
  const collectors::MetricDesc* desc;
};

// A gauge with one series per check, labelled {check}: what a DataMetric's
// `desc` and the probes' own series are.
inline collectors::MetricDesc CheckGauge(std::string_view name, std::string_view help) {
  return {name, help, prometheus::MetricType::Gauge, {"check"}};
}

struct CheckKind {
  config::KindSpec config;  // name, keys, reader
  std::function<std::shared_ptr<Check>(const config::CheckConfig& check, KindContext& context)>
      make;
  // A probe: its checks get vitals_probe_success and _duration_seconds.
  bool probe = false;
  // The sampled values (SampledValues() names) a check of this kind reads;
  // set: the sampler reads them, at the check's interval.
  std::function<std::vector<std::string>(const config::CheckConfig& check)> sampled_values;
  std::vector<DataMetric> metrics;
};

class CheckKinds {
 public:
  // Every kind linked into the binary (registered before main).
  static const CheckKinds& Builtin();

  // Adds a kind (also for tests' own registries); true, so that a
  // registration can initialize a static. A name registered twice throws.
  bool Register(CheckKind kind);
  const CheckKind* Find(std::string_view name) const;
  const std::vector<CheckKind>& all() const { return all_; }  // sorted by name
  // The config's view of the kinds, for config::Parse / Load.
  config::KindTable table() const { return table_; }

  // The check of `check` (a config read with table()), built by its kind.
  std::shared_ptr<Check> Make(const config::CheckConfig& check, KindContext& context) const;

 private:
  friend bool RegisterBuiltinKind(CheckKind kind);
  static CheckKinds& Mutable();
  std::vector<CheckKind> all_;
  std::vector<config::KindSpec> table_;  // all_[i].config, contiguous for the config
};

bool RegisterBuiltinKind(CheckKind kind);  // what VITALS_REGISTER_CHECK_KIND calls

struct Snapshot;
// The series of the kinds, from the checks' last results (a scrape never
// runs a check; a check removed by a reload disappears with it):
// vitals_probe_success and vitals_probe_duration_seconds for the checks of
// probe kinds, and each kind's data metrics where the last run measured them
// (blackbox_exporter's probe_* under our prefix).
void AddKindSeries(const Snapshot& snapshot, const CheckKinds& kinds, collectors::MetricSink& out);

// A kind whose settings are `S` (a config::KindSettings), from two functions:
//   S read(const config::Reader&, config::CheckConfig&, const config::KindReadContext&)
//   std::shared_ptr<Check> make(const S&, const config::CheckConfig&, KindContext&)
template <class S, class Read, class Make>
CheckKind MakeKind(std::string_view name, std::vector<std::string_view> keys, Read read,
                   Make make) {
  CheckKind kind;
  kind.config.name = name;
  kind.config.keys = std::move(keys);
  kind.config.read = [read](const config::Reader& r, config::CheckConfig& check,
                            const config::KindReadContext& context)
      -> std::shared_ptr<const config::KindSettings> {
    return std::make_shared<const S>(read(r, check, context));
  };
  kind.make = [make](const config::CheckConfig& check,
                     KindContext& context) -> std::shared_ptr<Check> {
    return make(*check.As<S>(), check, context);
  };
  return kind;
}

}  // namespace vitals::health

// Registers the built-in check kind `kind` (a CheckKind); `id` names the
// registration (the kind's name as an identifier).
#define VITALS_REGISTER_CHECK_KIND(id, kind)                   \
  [[maybe_unused]] static const bool vitals_registered_kind_##id = \
      ::vitals::health::RegisterBuiltinKind(kind)
