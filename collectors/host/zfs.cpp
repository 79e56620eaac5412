// node_exporter's "zfs" collector: OpenZFS statistics from
// /proc/spl/kstat/zfs: the module-wide kstats (ARC, DMU, ZIL, prefetch, ...)
// as untyped node_zfs_<subsystem>_<statistic>, and per pool its io kstat
// (node_zfs_zpool_*), its datasets' objset kstats (node_zfs_zpool_dataset_*)
// and its state (node_zfs_zpool_state). HELP is the kstat's sysctl-like
// name, "kstat.zfs.misc.arcstats.hits", as in node_exporter.

#include <algorithm>
#include <string>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/procfs/spl_kstat.h"

namespace vitals::collectors {

namespace {

constexpr std::string_view kBase = "spl/kstat/zfs";

// node_exporter's subsystems and the file each reads; a file the loaded
// OpenZFS does not have is skipped (features come and go with versions).
struct Subsystem {
  std::string_view subsystem;
  std::string_view file;
};
constexpr Subsystem kSubsystems[] = {
    {"zfs_abd", "abdstats"},          {"zfs_arc", "arcstats"},
    {"zfs_dbuf", "dbuf_stats"},       {"zfs_dmu_tx", "dmu_tx"},
    {"zfs_dnode", "dnodestats"},      {"zfs_fm", "fm"},
    {"zfs_vdev_cache", "vdev_cache_stats"}, {"zfs_vdev_mirror", "vdev_mirror_stats"},
    {"zfs_xuio", "xuio_stats"},       {"zfs_zfetch", "zfetchstats"},
    {"zfs_zil", "zil"},
};

constexpr std::string_view kPoolLabels[] = {"zpool"};
constexpr std::string_view kDatasetLabels[] = {"zpool", "dataset"};
const MetricDesc kState{"node_zfs_zpool_state", "kstat.zfs.misc.state",
                        prometheus::MetricType::Gauge, {"zpool", "state"}};
constexpr std::string_view kStates[] = {"online", "degraded", "faulted",
                                        "offline", "removed", "unavail"};

struct Pool {
  std::string name;
  bool io = false;
  bool state = false;
  std::vector<std::string> objsets;  // "objset-0x36", sorted
};

class ZfsCollector : public Collector {
 public:
  explicit ZfsCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "zfs"; }
  std::span<const MetricDesc> Describe() const override { return {&kState, 1}; }
  std::string_view derived_prefix() const override { return "node_zfs_"; }

  procfs::Result<void> Collect(MetricSink& out) override {
    derived_.StartScrape();
    auto entries = proc_.Entries(kBase);
    if (!entries) {
      return NoData(std::string(kBase), "no ZFS statistics (zfs module not loaded): " +
                                            entries.error().ToString());
    }
    for (const Subsystem& s : kSubsystems) {
      path_.assign(kBase);
      path_ += '/';
      path_ += s.file;
      auto text = proc_.ReadInto(path_, buffer_);
      if (!text) {
        if (text.error().code == procfs::Errc::kNotFound ||
            text.error().code == procfs::Errc::kPermission) {
          continue;
        }
        return text.error();
      }
      if (auto r = procfs::ParseKstatNamed(path_, *text, values_); !r) {
        return r.error();
      }
      for (const procfs::KstatValue& v : values_) {
        if (auto r = Emit(out, "node_", s.subsystem, s.file, v, {}, {}); !r) {
          return r;
        }
      }
    }
    return CollectPools(out, *entries);
  }

 private:
  // Adds statistic `v` of kstat file `file` as <prefix><subsystem>_<name>,
  // with HELP kstat.zfs.misc.<file>.<statistic> and the given labels.
  procfs::Result<void> Emit(MetricSink& out, std::string_view prefix, std::string_view subsystem,
                            std::string_view file, const procfs::KstatValue& v,
                            std::span<const std::string_view> labels,
                            std::initializer_list<std::string_view> label_values) {
    key_.assign("kstat.zfs.misc.");
    key_ += file;
    key_ += '.';
    key_ += v.name;
    auto family = derived_.Get(
        key_, prometheus::MetricType::Untyped,
        [&] {
          // node_exporter names it after the last dot-separated part of the
          // key, dashes made underscores.
          std::string metric(key_.substr(key_.rfind('.') + 1));
          std::replace(metric.begin(), metric.end(), '-', '_');
          return std::optional<std::pair<std::string, std::string>>(std::in_place,
              std::string(prefix) + std::string(subsystem) + "_" + metric, key_);
        },
        labels);
    if (family.bad_name) {
      return procfs::ParseError(path_, "statistic \"" + std::string(v.name) +
                                           "\" does not make a valid metric name");
    }
    out.Add(*family.desc, static_cast<double>(v.value), label_values);
    return {};
  }

  procfs::Result<void> CollectPools(MetricSink& out, const std::vector<std::string>& entries) {
    // Pools are the directories under spl/kstat/zfs; listed once, the io,
    // objset-* and state files each pool has are read in node_exporter's
    // order (every io, then every objset, then every state).
    pools_.clear();
    for (const std::string& entry : entries) {
      auto files = proc_.Entries(std::string(kBase) + "/" + entry);
      if (!files) {
        continue;  // a file such as arcstats, not a pool
      }
      Pool& pool = pools_.emplace_back();
      pool.name = entry;
      for (const std::string& file : *files) {
        pool.io = pool.io || file == "io";
        pool.state = pool.state || file == "state";
        if (file.rfind("objset-", 0) == 0) {
          pool.objsets.push_back(file);
        }
      }
    }
    for (const Pool& pool : pools_) {
      if (!pool.io) {
        continue;
      }
      auto text = ReadPoolFile(pool, "io");
      if (!text) {
        return text.error();
      }
      if (auto r = procfs::ParseKstatIo(path_, *text, values_); !r) {
        return r.error();
      }
      for (const procfs::KstatValue& v : values_) {
        if (auto r = Emit(out, "node_", "zfs_zpool", "io", v, kPoolLabels, {pool.name}); !r) {
          return r;
        }
      }
    }
    for (const Pool& pool : pools_) {
      for (const std::string& objset : pool.objsets) {
        auto text = ReadPoolFile(pool, objset);
        if (!text) {
          return text.error();
        }
        if (auto r = procfs::ParseKstatNamed(path_, *text, values_); !r) {
          return r.error();
        }
        for (const procfs::KstatValue& v : values_) {
          // The pool is named once the file has named its dataset, as in
          // node_exporter.
          const std::string_view zpool = v.dataset.empty() ? std::string_view() : pool.name;
          if (auto r = Emit(out, "node_", "zfs_zpool_dataset", "objset", v, kDatasetLabels,
                            {zpool, v.dataset});
              !r) {
            return r;
          }
        }
      }
    }
    for (const Pool& pool : pools_) {
      if (!pool.state) {
        continue;
      }
      auto text = ReadPoolFile(pool, "state");
      if (!text) {
        return text.error();
      }
      const std::string state = procfs::ParseKstatPoolState(*text);
      for (std::string_view name : kStates) {
        out.Add(kState, state == name ? 1 : 0, {pool.name, name});
      }
    }
    return {};
  }

  procfs::Result<std::string_view> ReadPoolFile(const Pool& pool, std::string_view file) {
    path_.assign(kBase);
    path_ += '/';
    path_ += pool.name;
    path_ += '/';
    path_ += file;
    return proc_.ReadInto(path_, buffer_);
  }

  const procfs::ProcFs& proc_;
  std::string buffer_;
  std::string path_;
  std::string key_;
  std::vector<procfs::KstatValue> values_;
  std::vector<Pool> pools_;
  DerivedFamilies derived_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(zfs, "OpenZFS statistics, from /proc/spl/kstat/zfs", kEnabled, {},
                          ZfsCollector);

}  // namespace vitals::collectors
