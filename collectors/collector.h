#pragma once
// The collector contract: a collector reads through procfs and emits samples
// into a MetricSink, one sink per scrape. Metrics are declared as data
// (MetricDesc) so tests can check every name a collector may emit.

#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"
#include "collectors/procfs/result.h"

namespace vitals::collectors {

struct MetricDesc {
  std::string_view name;
  std::string_view help;
  prometheus::MetricType type;
  std::vector<std::string_view> labels;
};

// Collects the samples of one scrape. Single-threaded: one sink per Collect.
class MetricSink {
 public:
  // `label_values` match `desc.labels` in order.
  void Add(const MetricDesc& desc, double value,
           std::initializer_list<std::string_view> label_values = {});
  void Add(const MetricDesc& desc, double value, std::span<const std::string_view> label_values);

  bool empty() const { return families_.empty(); }
  // Moves the families out, sorted by name and each family's series by labels,
  // because prometheus-cpp's serializer keeps the order it is given.
  std::vector<prometheus::MetricFamily> Take();
  // Appends the families of `other` (e.g. a collector's sink into the scrape's).
  void Merge(MetricSink&& other);

 private:
  prometheus::MetricFamily* Find(std::string_view name);

  // In the order first added, sorted by Take(). A collector adds a family's
  // series one after another, so the last family used is checked first;
  // a scrape has about a hundred families, so a search is a short scan.
  std::vector<prometheus::MetricFamily> families_;
  std::size_t last_ = 0;
};

class ProcessTable;

// What a collector needs to know about the machine it reads.
struct CollectorContext {
  const procfs::ProcFs& proc;
  std::filesystem::path sysfs;
  // The per-scrape pass over /proc/<pid>/stat shared with the process groups
  // (process_table.h); null: a collector that needs one makes its own.
  std::shared_ptr<ProcessTable> process_table = nullptr;
};

class Collector {
 public:
  virtual ~Collector() = default;
  virtual std::string_view name() const = 0;  // "cpu", "meminfo", ...
  // The families this collector emits with fixed names (meminfo's are derived
  // from the kernel's field names and not listed).
  virtual std::span<const MetricDesc> Describe() const = 0;
  // Must not throw. On error the scrape drops this collector's samples and
  // reports vitals_scrape_collector_success{collector} 0.
  virtual procfs::Result<void> Collect(MetricSink& out) = 0;
};

using CollectorFactory = std::function<std::unique_ptr<Collector>(const CollectorContext&)>;

}  // namespace vitals::collectors
