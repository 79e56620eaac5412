#pragma once
// The collector contract: a collector reads through procfs/sysfs and emits
// samples into a MetricSink, one sink per scrape. Metrics are declared as data
// (MetricDesc) so tests can check every name a collector may emit.
//
// Adding a host collector (node_exporter's <name>):
//   1. A parser per kernel file, pure and tested on inline strings:
//      collectors/procfs/<file>.{h,cpp} (rooted at --path.procfs) or
//      collectors/sysfs/<file>.{h,cpp} (--path.sysfs, --path.rootfs), listed in
//      that folder's CMakeLists.txt.
//   2. One file, collectors/host/<name>.cpp (picked up by the build, no header):
//      the class (a Collector), its families as MetricDesc data with
//      node_exporter's exact names, types, labels and HELP, its flags
//      (FlagSpec, node_exporter's names and defaults), and at the end one line:
//        VITALS_REGISTER_COLLECTOR(<name>, "<help>", kEnabled, kFlags, <Class>);
//      --help, the flag parser, the landing page and the tests learn it from
//      the registry (collector_registry.h).
//   3. Files absent on a host: do as node_exporter's collector does there
//      (read its Go code): NoData(...) where it returns ErrNoData (through
//      NoDataIfAbsent for os.ErrNotExist), nothing and success where it returns
//      nil, an error where it fails. A problem node_exporter only logs (textfile:
//      one bad file among several) is MetricSink::Warn; the collector succeeds.
//   4. Fixture data: the files it reads under tests/fixtures/{proc,sys,rootfs}
//      (captured from a machine, or written from the kernel's documented
//      format for hardware absent there), and tests/fixtures/parity/<name>.json
//      saying how e2e.node_exporter_parity compares it with node_exporter
//      (see tests/fixtures/README.md). Then VITALS_UPDATE_GOLDEN=1 for
//      tests/golden/metrics.prom.

#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/collector_flags.h"
#include "collectors/procfs/proc_fs.h"
#include "collectors/procfs/result.h"
#include "collectors/procfs/root_dir.h"

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
  // A family built whole, for names, labels and types that come from a file
  // rather than a MetricDesc (the textfile collector's, summaries and
  // histograms included).
  void Add(prometheus::MetricFamily family);

  // A problem that does not fail the collector (node_exporter's textfile
  // collector logs a bad file and serves the others): the scrape logs it,
  // naming the collector, and the collector still succeeds.
  void Warn(std::string message) { warnings_.push_back(std::move(message)); }
  const std::vector<std::string>& warnings() const { return warnings_; }

  bool empty() const { return families_.empty(); }
  // Moves the families out, sorted by name and each family's series by labels,
  // because prometheus-cpp's serializer keeps the order it is given; two
  // families of the same name (added through different MetricDescs) are one.
  std::vector<prometheus::MetricFamily> Take();
  // Appends the families of `other` (e.g. a collector's sink into the scrape's).
  void Merge(MetricSink&& other);

 private:
  prometheus::MetricFamily* Find(const MetricDesc* desc);

  // In the order first added, sorted by Take(); keys_[i] is the MetricDesc
  // families_[i] was made from. A family is found by that pointer, not by
  // its name: a scrape has a few hundred families, and comparing pointers is
  // what keeps adding each new one (a scan of all of them) cheap. A
  // collector adds a family's series one after another, or one series of
  // each family in turn, so the last family used and the one after it are
  // checked first.
  std::vector<prometheus::MetricFamily> families_;
  std::vector<const MetricDesc*> keys_;
  std::size_t last_ = 0;
  std::vector<std::string> warnings_;
};

// Families whose names come from the file (meminfo, vmstat, netstat, ...):
// each is built once, the first time its key is seen, and kept; a lookup by
// key allocates nothing. The families returned stay valid until the next
// StartScrape(), which a collector calls first in each Collect: past
// kMaxKept it forgets them all, so a file full of new names each scrape
// cannot grow the set without bound.
class DerivedFamilies {
 public:
  static constexpr std::size_t kMaxKept = 4096;

  void StartScrape() {
    if (descs_.size() > kMaxKept) {
      descs_.clear();  // only a hostile file has this many names
      order_.clear();
    }
    cursor_ = 0;
  }

  struct Family {
    const MetricDesc* desc = nullptr;  // null: not exported (see Get)
    // The name made is not a valid metric name: a kernel's field names
    // always make one, a hostile file's need not.
    bool bad_name = false;
  };

  // `make()` returns std::optional<std::pair<std::string, std::string>>:
  // {name, help}, or nullopt when the key is not exported (e.g. filtered out
  // by a flag); it is called only for a key not seen before. A kernel file
  // lists its fields in the same order every time, so the key looked up in
  // the same position last scrape is tried first (no search). `labels` are
  // the family's label names (static strings), fixed when the key is first
  // seen.
  template <class Make>
  Family Get(std::string_view key, prometheus::MetricType type, Make make,
             std::span<const std::string_view> labels = {}) {
    Map::iterator it;
    if (cursor_ < order_.size() && order_[cursor_]->first == key) {
      it = order_[cursor_];
    } else {
      it = descs_.find(key);
      if (it == descs_.end()) {
        it = Insert(key, make(), type, labels);
      }
      order_.resize(cursor_ + 1);
      order_[cursor_] = it;
    }
    ++cursor_;
    const Owned& owned = it->second;
    return Family{owned.exported && !owned.bad_name ? &owned.desc : nullptr, owned.bad_name};
  }

 private:
  struct Owned {
    std::string name, help;
    MetricDesc desc;
    bool exported = false;
    bool bad_name = false;
  };
  using Map = std::map<std::string, Owned, std::less<>>;
  Map::iterator Insert(std::string_view key,
                       std::optional<std::pair<std::string, std::string>> name_help,
                       prometheus::MetricType type, std::span<const std::string_view> labels);

  Map descs_;
  std::vector<Map::iterator> order_;  // the keys in the order last looked up
  std::size_t cursor_ = 0;            // position in order_ of the next Get
};

class ProcessTable;

// What a collector needs to know about the machine it reads. The trees and
// the flag values outlive every collector built from the context.
struct CollectorContext {
  const procfs::ProcFs& proc;    // --path.procfs
  const procfs::RootDir& sys;    // --path.sysfs
  const procfs::RootDir& root;   // --path.rootfs (os-release, mounted filesystems)
  const FlagValues& flags;       // every collector flag, validated, defaults filled
  // The per-scrape pass over /proc/<pid>/stat shared with the process groups
  // (process_table.h); null: a collector that needs one makes its own.
  std::shared_ptr<ProcessTable> process_table = nullptr;
};

class Collector {
 public:
  virtual ~Collector() = default;
  virtual std::string_view name() const = 0;  // "cpu", "meminfo", ...
  // The families this collector emits with fixed names.
  virtual std::span<const MetricDesc> Describe() const = 0;
  // The prefix of the families it names after the file's fields (meminfo's
  // "node_memory_", vmstat's "node_vmstat_"), which Describe() cannot list;
  // empty when it has none.
  virtual std::string_view derived_prefix() const { return {}; }
  // Must not throw. Three outcomes:
  //  - ok: the samples are exported, vitals_scrape_collector_success 1;
  //  - NoData(...) (node_exporter's ErrNoData: nothing to report on this
  //    host, e.g. no /proc/schedstat): success 0, one debug log line, the
  //    samples it emitted before are kept, as node_exporter keeps them;
  //  - any other error: success 0, the error logged, none of its samples.
  virtual procfs::Result<void> Collect(MetricSink& out) = 0;
};

// The "no data" outcome of Collect (see above): `reason` is logged at debug.
inline procfs::Error NoData(std::string path, std::string reason) {
  return procfs::Error{procfs::Errc::kNoData, std::move(path), std::move(reason)};
}

namespace detail {
inline procfs::Error NoDataWhen(bool no_data, const procfs::Error& error, std::string_view what) {
  if (!no_data) {
    return error;
  }
  return NoData(error.path, std::string(what) + ": " + error.ToString());
}
}  // namespace detail

// NoData for a file that is absent (node_exporter's os.ErrNotExist: a module
// not loaded, hardware not there), `error` itself otherwise. Every collector
// whose node_exporter twin returns ErrNoData for os.ErrNotExist uses this.
inline procfs::Error NoDataIfAbsent(const procfs::Error& error, std::string_view what) {
  return detail::NoDataWhen(error.code == procfs::Errc::kNotFound, error, what);
}

// The same, and NoData too for a file not ours to read, where node_exporter
// also returns ErrNoData for os.ErrPermission (netclass, rapl).
inline procfs::Error NoDataIfAbsentOrDenied(const procfs::Error& error, std::string_view what) {
  return detail::NoDataWhen(
      error.code == procfs::Errc::kNotFound || error.code == procfs::Errc::kPermission, error, what);
}

// Builds a collector. Flags that contradict each other (a deprecated name
// beside the new one, ...) throw std::invalid_argument with the reason: the
// agent does not start, as node_exporter does not.
using CollectorFactory = std::function<std::unique_ptr<Collector>(const CollectorContext&)>;

// The agent's own sources (the health model, the probes, the actions) as
// collectors: every family of /metrics comes through the one scrape, which
// sorts them once and gives each source its duration and success series.
// `add` writes the source's samples; it must not throw.
class SourceCollector final : public Collector {
 public:
  SourceCollector(std::string_view name, std::span<const MetricDesc> descs,
                  std::function<void(MetricSink&)> add)
      : name_(name), descs_(descs), add_(std::move(add)) {}
  std::string_view name() const override { return name_; }
  std::span<const MetricDesc> Describe() const override { return descs_; }
  procfs::Result<void> Collect(MetricSink& out) override {
    add_(out);
    return {};
  }

 private:
  std::string_view name_;
  std::span<const MetricDesc> descs_;
  std::function<void(MetricSink&)> add_;
};

}  // namespace vitals::collectors
