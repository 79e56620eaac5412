#include "agent/scrape/scrape_collectable.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include "agent/log/log.h"
#include "collectors/collector_registry.h"

namespace vitals::scrape {

namespace {

using collectors::MetricDesc;
using prometheus::MetricType;

const MetricDesc kDuration{"vitals_scrape_collector_duration_seconds",
                           "vitals: Duration of a collector scrape.", MetricType::Gauge,
                           {"collector"}};
const MetricDesc kSuccess{"vitals_scrape_collector_success",
                          "vitals: Whether a collector succeeded.", MetricType::Gauge,
                          {"collector"}};
const MetricDesc kBuildInfo{"vitals_build_info",
                            "A metric with a constant '1' value labeled by version, revision and "
                            "compiler from which vitals was built.",
                            MetricType::Gauge, {"version", "revision", "compiler"}};

// The exporter identity (--compat.exporter-identity, on by default).
// Dashboards made for node_exporter and process-exporter fill their
// target dropdowns from node_exporter_build_info, process_exporter_build_info
// and namedprocess_scrape_errors, and Node Exporter Full graphs
// node_scrape_collector_{duration_seconds,success}. vitals answers them with
// its own facts: the build infos carry vitals' version and revision and
// program="vitals" (nothing claims a node_exporter version), the scrape
// errors count scrapes whose process-group collector failed (no group
// metrics that scrape, as process-exporter counts them), and the collector
// families repeat vitals_scrape_collector_* for node_exporter's collectors.
const MetricDesc kNodeDuration{"node_scrape_collector_duration_seconds",
                               "node_exporter: Duration of a collector scrape.",
                               MetricType::Gauge, {"collector"}};
const MetricDesc kNodeSuccess{"node_scrape_collector_success",
                              "node_exporter: Whether a collector succeeded.", MetricType::Gauge,
                              {"collector"}};
const MetricDesc kNodeExporterBuildInfo{
    "node_exporter_build_info",
    "vitals, for node_exporter's dashboards: a constant 1 labeled by the version and revision "
    "of vitals (program), which exports node_exporter's metrics.",
    MetricType::Gauge, {"program", "version", "revision"}};
const MetricDesc kProcessExporterBuildInfo{
    "process_exporter_build_info",
    "vitals, for process-exporter's dashboards: a constant 1 labeled by the version and revision "
    "of vitals (program), which exports process-exporter's metrics.",
    MetricType::Gauge, {"program", "version", "revision"}};
const MetricDesc kProcessScrapeErrors{
    "namedprocess_scrape_errors",
    "general scrape errors: no proc metrics collected during a cycle", MetricType::Counter, {}};
constexpr std::string_view kProcessCollector = "process";

// Logs the problems a collector reported without failing (MetricSink::Warn):
// at warn when they differ from the last scrape's, else at debug.
void LogWarnings(const collectors::Collector& collector, const collectors::MetricSink& own,
                 std::vector<std::string>& last_warnings) {
  const bool changed = own.warnings() != last_warnings;
  for (const std::string& warning : own.warnings()) {
    log::Write(changed ? log::Level::kWarn : log::Level::kDebug, "collector reported a problem",
               {{"collector", std::string(collector.name())}, {"err", warning}});
  }
  if (changed) {
    last_warnings = own.warnings();
  }
}

// Runs one collector; its samples reach `out` only when it succeeded (or had
// no data, which keeps what it emitted, as node_exporter does), so a
// half-read file never exports a partial or zeroed family.
bool RunOne(collectors::Collector& collector, std::string& last_error,
            std::vector<std::string>& last_warnings, collectors::MetricSink& out) {
  collectors::MetricSink own;
  std::string error;
  try {
    auto result = collector.Collect(own);
    LogWarnings(collector, own, last_warnings);
    if (!result) {
      if (result.error().code == procfs::Errc::kNoData) {
        // Nothing to report on this host (absent hardware, a kernel without
        // the file): not an error, and said only at debug, every scrape.
        log::Debug("collector returned no data", {{"collector", std::string(collector.name())},
                                                   {"err", result.error().ToString()}});
        out.Merge(std::move(own));
        return false;
      }
      error = result.error().ToString();
    }
  } catch (const std::exception& e) {  // backstop: collectors must not throw
    error = std::string("exception: ") + e.what();
  } catch (...) {
    error = "unknown exception";
  }
  if (error.empty()) {
    if (!last_error.empty()) {
      log::Info("collector recovered", {{"collector", std::string(collector.name())}});
      last_error.clear();
    }
    out.Merge(std::move(own));
    return true;
  }
  if (error != last_error) {
    log::Error("collector failed", {{"collector", std::string(collector.name())}, {"err", error}});
    last_error = error;
  } else {
    log::Debug("collector failed", {{"collector", std::string(collector.name())}, {"err", error}});
  }
  return false;
}

}  // namespace

ScrapeCollectable::ScrapeCollectable(
    std::vector<std::shared_ptr<collectors::Collector>> collectors,
    BuildInfo build, std::shared_ptr<collectors::ProcessTable> process_table,
    bool exporter_identity)
    : build_(std::move(build)),
      process_table_(std::move(process_table)),
      exporter_identity_(exporter_identity) {
  for (auto& c : collectors) {
    const bool node_exporter = collectors::CollectorRegistry::Builtin().Find(c->name()) != nullptr;
    entries_.push_back(Entry{std::move(c), {}, {}, node_exporter});
  }
  for (const Entry& entry : entries_) {
    by_name_.push_back(&entry);
  }
  std::stable_sort(by_name_.begin(), by_name_.end(), [](const Entry* a, const Entry* b) {
    return a->collector->name() < b->collector->name();
  });
}

std::vector<prometheus::MetricFamily> ScrapeCollectable::Collect() const {
  std::lock_guard lock(mutex_);
  if (process_table_) {
    process_table_->Expire();
  }
  collectors::MetricSink sink;
  // The series about the collectors, apart: in `sink`, after each
  // collector's families, finding their few families would be a search
  // through all the others.
  collectors::MetricSink collector_series;
  for (Entry& entry : entries_) {
    auto start = std::chrono::steady_clock::now();
    entry.ok = RunOne(*entry.collector, entry.last_error, entry.last_warnings, sink);
    entry.took = std::chrono::steady_clock::now() - start;
  }
  // In the order of the collectors' names, which is their series' order:
  // the sink then finds them sorted and has none to sort.
  for (const Entry* entry : by_name_) {
    std::string_view name = entry->collector->name();
    const double took = entry->took.count();
    const double ok = entry->ok ? 1 : 0;
    collector_series.Add(kDuration, took, {name});
    collector_series.Add(kSuccess, ok, {name});
    if (exporter_identity_ && entry->node_exporter) {
      collector_series.Add(kNodeDuration, took, {name});
      collector_series.Add(kNodeSuccess, ok, {name});
    }
    if (name == kProcessCollector) {
      process_scrape_errors_ += entry->ok ? 0 : 1;
      if (exporter_identity_) {
        collector_series.Add(kProcessExporterBuildInfo, 1, {"vitals", build_.version, build_.revision});
        collector_series.Add(kProcessScrapeErrors, static_cast<double>(process_scrape_errors_));
      }
    }
  }
  collector_series.Add(kBuildInfo, 1, {build_.version, build_.revision, build_.compiler});
  if (exporter_identity_) {
    collector_series.Add(kNodeExporterBuildInfo, 1, {"vitals", build_.version, build_.revision});
  }
  sink.Merge(std::move(collector_series));
  return sink.Take();
}

}  // namespace vitals::scrape
