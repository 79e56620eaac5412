#pragma once
// ScrapeCollectable: runs every enabled collector for one scrape and adds the
// agent's own families (per-collector duration and success, build info,
// process_*). A failed collector loses only its own samples.
// Thread contract: Collect() may be called from several HTTP workers; calls
// are serialized because collectors reuse their read buffers.

#include <prometheus/collectable.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/process_table.h"

namespace vitals::scrape {

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string compiler;
};

class ScrapeCollectable : public prometheus::Collectable {
 public:
  // The agent's own process collector ("self") is passed like any other, so
  // its failures show in vitals_scrape_collector_success too.
  // `process_table`: the pass over /proc the collectors share; each scrape
  // starts by expiring the last one, so a scrape never reads an older pass.
  // `exporter_identity`: also export the families dashboards made for
  // node_exporter and process-exporter find their targets by (see
  // ExporterIdentity in the .cpp).
  ScrapeCollectable(std::vector<std::shared_ptr<collectors::Collector>> collectors,
                    BuildInfo build,
                    std::shared_ptr<collectors::ProcessTable> process_table = nullptr,
                    bool exporter_identity = false);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Entry {
    std::shared_ptr<collectors::Collector> collector;
    std::string last_error;  // to log a failure once, not on every scrape
    std::vector<std::string> last_warnings;  // likewise its warnings
    bool node_exporter = false;  // one of node_exporter's collectors (the registry's)
    // This scrape's outcome, exported after every collector has run.
    bool ok = false;
    std::chrono::duration<double> took{};
  };

  mutable std::mutex mutex_;  // guards entries_
  mutable std::vector<Entry> entries_;
  std::vector<const Entry*> by_name_;  // entries_ by the collectors' names
  BuildInfo build_;
  std::shared_ptr<collectors::ProcessTable> process_table_;
  bool exporter_identity_ = false;
  // Scrapes whose process-group collector failed (process-exporter's
  // namedprocess_scrape_errors); guarded by mutex_.
  mutable std::uint64_t process_scrape_errors_ = 0;
};

}  // namespace vitals::scrape
