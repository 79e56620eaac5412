#include "agent/scrape/scrape_collectable.h"

#include <chrono>
#include <exception>

#include "agent/log.h"

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
    BuildInfo build, std::shared_ptr<collectors::ProcessTable> process_table)
    : build_(std::move(build)), process_table_(std::move(process_table)) {
  for (auto& c : collectors) {
    entries_.push_back(Entry{std::move(c), {}});
  }
}

std::vector<prometheus::MetricFamily> ScrapeCollectable::Collect() const {
  std::lock_guard lock(mutex_);
  if (process_table_) {
    process_table_->Expire();
  }
  collectors::MetricSink sink;
  for (Entry& entry : entries_) {
    auto start = std::chrono::steady_clock::now();
    bool ok = RunOne(*entry.collector, entry.last_error, entry.last_warnings, sink);
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::string_view name = entry.collector->name();
    sink.Add(kDuration, took.count(), {name});
    sink.Add(kSuccess, ok ? 1 : 0, {name});
  }
  sink.Add(kBuildInfo, 1, {build_.version, build_.revision, build_.compiler});
  return sink.Take();
}

}  // namespace vitals::scrape
