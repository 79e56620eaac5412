#include "agent/http/health_service.h"

#include <algorithm>
#include <set>
#include <thread>

#include "agent/health/kind.h"
#include "agent/log/log.h"
#include "collectors/process/process_collector.h"

namespace vitals::http {

namespace {

// Reads the process groups for the sampler from the collector the scrape
// uses, so health sees exactly what namedprocess_namegroup_* says.
health::GroupReader MakeGroupReader(std::shared_ptr<collectors::ProcessCollector> collector) {
  if (!collector) {
    return nullptr;
  }
  return [collector]() -> std::variant<std::map<std::string, health::GroupReading>, std::string> {
    auto groups = collector->Sample();
    if (!groups) {
      return groups.error().ToString();
    }
    std::map<std::string, health::GroupReading> out;
    for (const auto& g : *groups) {
      auto d = [](std::uint64_t v) { return static_cast<double>(v); };
      out[g.name] = health::GroupReading{d(g.num_procs), g.cpu_seconds, d(g.rss_bytes),
                                 d(g.num_threads), d(g.open_fds), g.worst_fd_ratio};
    }
    return out;
  };
}

using Millis = std::chrono::milliseconds;

}  // namespace

HealthService::HealthService(const procfs::ProcFs& proc,
                             std::shared_ptr<collectors::ProcessCollector> process_groups,
                             const collectors::CollectorContext* host)
    : proc_(proc) {
  sampler_ = std::make_shared<health::Sampler>(proc_, clock_);
  sampler_->SetGroupReader(MakeGroupReader(std::move(process_groups)));
  if (host != nullptr) {
    sampler_->SetHostCollectors(*host, collectors::CollectorRegistry::Builtin());
  }
}

HealthService::~HealthService() {
  if (scheduler_) {
    scheduler_->Stop();
  }
}

std::vector<std::string> HealthService::Apply(const config::Config& config) {
  std::vector<health::CheckSpec> specs;
  health::Duration sample_interval = std::chrono::seconds(15);
  std::set<std::string, std::less<>> sampled(kept_sampled_.begin(), kept_sampled_.end());
  for (const config::CheckConfig& c : config.checks) {
    health::CheckSpec spec;
    spec.name = c.name;
    spec.kind = c.kind;
    spec.tags.insert(c.tags.begin(), c.tags.end());
    spec.interval = c.interval;
    spec.timeout = c.timeout;
    spec.jitter = c.jitter;
    spec.staleness = c.staleness;
    spec.hysteresis = {c.failures_before_unhealthy, c.successes_before_healthy};
    spec.on_error = health::ParseStatus(c.on_error).value_or(health::HealthStatus::kUnhealthy);
    spec.definition = c.definition;
    spec.actions = c.actions;
    const health::CheckKind* kind = health::CheckKinds::Builtin().Find(c.kind);
    // A sample may be up to one sampling interval old, plus slack.
    health::KindContext context{spec, sampler_,
                                health::CheckSpec::DefaultStaleness(c.interval, c.timeout),
                                heartbeats_.get()};
    spec.check = health::CheckKinds::Builtin().Make(c, context);
    if (kind->sampled_values) {
      sample_interval = std::min<health::Duration>(sample_interval, c.interval);
      for (std::string& value : kind->sampled_values(c)) {
        sampled.insert(std::move(value));
      }
    }
    specs.push_back(std::move(spec));
  }
  {
    std::lock_guard lock(mutex_);
    groups_ = config.health.groups;
    codes_ = health::StatusCodes{config.health.healthy_code, config.health.degraded_code,
                         config.health.unhealthy_code};
  }
  const bool reload = scheduler_ != nullptr;
  // Until the new checks replace the old ones, the sampler reads what both
  // need, so that no old check sees its value vanish.
  std::set<std::string, std::less<>> both = sampled;
  both.insert(sampled_.begin(), sampled_.end());
  const bool reads_more = sampler_->SetNeeds(both);
  const health::Duration task_interval = std::max<health::Duration>(sample_interval, Millis(100));
  auto sample = [sampler = sampler_] { sampler->Sample(); };
  if (!reload) {
    health::Scheduler::Options options;
    options.max_concurrency = config.health.max_concurrency;
    options.clock = clock_;
    scheduler_ = std::make_unique<health::Scheduler>(options);
    for (auto& listener : listeners_) {
      scheduler_->Subscribe(std::move(listener));
    }
    listeners_.clear();
    // Prime: a first reading, and the scheduler's first one (right before
    // the first checks) kMinCpuInterval later, so that the ratios between
    // two samples (host and group CPU) exist over a real interval when the
    // first checks read them, instead of failing with "needs two samples"
    // or "no CPU time passed".
    sampler_->Sample();
    std::this_thread::sleep_for(health::Sampler::kMinCpuInterval);
  } else if (reads_more) {
    // A source only the new checks need is primed the same way, through the
    // running scheduler (bounded, as below).
    scheduler_->SetTask(task_interval, sample);
    scheduler_->WaitForTask(std::chrono::seconds(2));
    std::this_thread::sleep_for(health::Sampler::kMinCpuInterval);
  }
  heartbeats_->Commit();
  scheduler_->SetTask(task_interval, sample);
  auto kept = scheduler_->Apply(std::move(specs));
  sampler_->SetNeeds(sampled);
  sampled_ = std::move(sampled);
  scheduler_->Start();
  if (reload) {
    // A reload: the first sample of the new groups replaces those of the old
    // ones, so that a reload from 20,000 groups back to a few has let go of
    // them when it returns (App then gives the memory back). Bounded: a
    // sampler stuck on a /proc read must not hold the reload.
    scheduler_->WaitForTask(std::chrono::seconds(2));
  }
  return kept;
}

void HealthService::Subscribe(health::Scheduler::Listener listener) {
  if (scheduler_) {
    scheduler_->Subscribe(std::move(listener));
  } else {
    listeners_.push_back(std::move(listener));
  }
}

health::Snapshot HealthService::snapshot() const {
  return scheduler_ ? scheduler_->snapshot() : health::Snapshot{};
}

void HealthService::RecordReload(bool ok) {
  std::lock_guard lock(mutex_);
  last_reload_ok_ = ok;
  if (ok) {
    last_success_seconds_ =
        std::chrono::duration<double>(clock_->WallNow().time_since_epoch()).count();
  }
}

Response HealthService::Handle(const Request& request) const {
  health::Filter filter;
  std::string_view rest = request.path().substr(std::string_view("/health").size());
  std::vector<std::string> groups;
  health::StatusCodes codes;
  {
    std::lock_guard lock(mutex_);
    groups = groups_;
    codes = codes_;
  }
  const health::Snapshot snapshot = scheduler_ ? scheduler_->snapshot() : health::Snapshot{};
  if (!rest.empty() && rest != "/") {
    std::string name(rest.substr(1));
    if (std::find(groups.begin(), groups.end(), name) != groups.end()) {
      filter.tags.insert(name);
    } else if (std::any_of(snapshot.entries.begin(), snapshot.entries.end(),
                           [&](const health::EntrySnapshot& e) { return e.name == name; })) {
      filter.name = name;
    } else {
      auto r = Response::Text(404, "no health group or check named \"" + name + "\"\n");
      r.headers.emplace_back("Cache-Control", "no-store");
      return r;
    }
  }
  // ?tag=a,b: any of the tags (on top of the path's filter).
  std::string_view query = request.query();
  while (!query.empty()) {
    std::string_view param = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), param.size() + 1));
    if (param.rfind("tag=", 0) == 0) {
      std::string_view tags = param.substr(4);
      while (!tags.empty()) {
        std::string_view tag = tags.substr(0, tags.find(','));
        tags.remove_prefix(std::min(tags.size(), tag.size() + 1));
        if (!tag.empty()) {
          filter.tags.insert(std::string(tag));
        }
      }
    }
  }
  const health::HealthReport report = health::BuildReport(snapshot, filter);
  Response response;
  response.status = codes.For(report.status);
  response.content_type = "application/json; charset=utf-8";
  response.body = health::ToJson(report).dump() + "\n";
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

namespace {

const collectors::MetricDesc kReloadDescs[] = {
    {"vitals_config_last_reload_successful",
     "Whether the last configuration reload attempt was successful.",
     prometheus::MetricType::Gauge, {}},
    {"vitals_config_last_reload_success_timestamp_seconds",
     "Timestamp of the last successful configuration reload.", prometheus::MetricType::Gauge, {}},
};

}  // namespace

std::vector<std::shared_ptr<collectors::Collector>> HealthService::Sources() const {
  using collectors::SourceCollector;
  auto snapshot = [this] { return scheduler_ ? scheduler_->snapshot() : health::Snapshot{}; };
  return {
      std::make_shared<SourceCollector>(
          "health", health::StatusDescs(),
          [this, snapshot](collectors::MetricSink& out) {
            std::vector<std::string> groups;
            bool ok = true;
            double success = 0;
            {
              std::lock_guard lock(mutex_);
              groups = groups_;
              ok = last_reload_ok_;
              success = last_success_seconds_;
            }
            health::AddStatusSeries(snapshot(), groups, out);
            out.Add(kReloadDescs[0], ok ? 1 : 0);
            out.Add(kReloadDescs[1], success);
          }),
      std::make_shared<SourceCollector>("probes", std::span<const collectors::MetricDesc>{},
                                        [snapshot](collectors::MetricSink& out) {
                                          health::AddKindSeries(snapshot(),
                                                                health::CheckKinds::Builtin(), out);
                                        }),
      std::make_shared<SourceCollector>(
          "samples", std::span<const collectors::MetricDesc>{},
          [sampler = sampler_](collectors::MetricSink& out) { sampler->AddSeries(out); }),
      std::make_shared<SourceCollector>(
          "heartbeats", health::HeartbeatRegistry::Descs(),
          [heartbeats = heartbeats_](collectors::MetricSink& out) { heartbeats->AddSeries(out); }),
  };
}

}  // namespace vitals::http
