// node_exporter's "bcache" collector: each bcache cache set's btree and
// journal gauges, its backing devices' dirty data, writeback rate and
// hit/miss totals, and its cache devices' errors and bytes written (and,
// with --collector.bcache.priorityStats, their priority_stats, which the
// kernel computes by walking every bucket: expensive on big caches).

#include "collectors/sysfs/bcache.h"

#include "collectors/collector_registry.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;

const FlagSpec kFlags[] = {
    {"collector.bcache.priorityStats", FlagKind::kBool, "false",
     "Expose expensive priority stats."},
};

// A family read from one file of a cache set, a backing device or a cache
// device: the file (relative to the set's or device's folder), the factor
// node_exporter applies, the family.
struct ValueFamily {
  std::string_view file;
  double scale;
  MetricDesc desc;
};

const std::vector<std::string_view> kSet = {"uuid"};
const std::vector<std::string_view> kBdev = {"uuid", "backing_device"};
const std::vector<std::string_view> kCache = {"uuid", "cache_device"};

const ValueFamily kSetFamilies[] = {
    {"average_key_size",
     1,
     {"node_bcache_average_key_size_sectors", "Average data per key in the btree (sectors).",
      MetricType::Gauge, kSet}},
    {"btree_cache_size",
     1,
     {"node_bcache_btree_cache_size_bytes", "Amount of memory currently used by the btree cache.",
      MetricType::Gauge, kSet}},
    {"cache_available_percent",
     1,
     {"node_bcache_cache_available_percent",
      "Percentage of cache device without dirty data, usable for writeback (may contain clean "
      "cached data).",
      MetricType::Gauge, kSet}},
    {"congested", 1, {"node_bcache_congested", "Congestion.", MetricType::Gauge, kSet}},
    {"root_usage_percent",
     1,
     {"node_bcache_root_usage_percent",
      "Percentage of the root btree node in use (tree depth increases if too high).",
      MetricType::Gauge, kSet}},
    {"tree_depth", 1, {"node_bcache_tree_depth", "Depth of the btree.", MetricType::Gauge, kSet}},
    {"internal/active_journal_entries",
     1,
     {"node_bcache_active_journal_entries",
      "Number of journal entries that are newer than the index.", MetricType::Gauge, kSet}},
    {"internal/btree_nodes",
     1,
     {"node_bcache_btree_nodes", "Total nodes in the btree.", MetricType::Gauge, kSet}},
    // The file is in microseconds; node_exporter 1.5.0 takes it for
    // nanoseconds (procfs' field name) and scales by 1e-9. Kept for parity.
    {"internal/btree_read_average_duration_us",
     1e-9,
     {"node_bcache_btree_read_average_duration_seconds", "Average btree read duration.",
      MetricType::Gauge, kSet}},
    {"internal/cache_read_races",
     1,
     {"node_bcache_cache_read_races_total",
      "Counts instances where while data was being read from the cache, the bucket was reused "
      "and invalidated - i.e. where the pointer was stale after the read completed.",
      MetricType::Counter, kSet}},
};

const ValueFamily kBdevFamilies[] = {
    {"dirty_data",
     1,
     {"node_bcache_dirty_data_bytes", "Amount of dirty data for this backing device in the cache.",
      MetricType::Gauge, kBdev}},
    {"stats_total/bypassed",
     1,
     {"node_bcache_bypassed_bytes_total",
      "Amount of IO (both reads and writes) that has bypassed the cache.", MetricType::Counter,
      kBdev}},
    {"stats_total/cache_hits",
     1,
     {"node_bcache_cache_hits_total", "Hits counted per individual IO as bcache sees them.",
      MetricType::Counter, kBdev}},
    {"stats_total/cache_misses",
     1,
     {"node_bcache_cache_misses_total", "Misses counted per individual IO as bcache sees them.",
      MetricType::Counter, kBdev}},
    {"stats_total/cache_bypass_hits",
     1,
     {"node_bcache_cache_bypass_hits_total", "Hits for IO intended to skip the cache.",
      MetricType::Counter, kBdev}},
    {"stats_total/cache_bypass_misses",
     1,
     {"node_bcache_cache_bypass_misses_total", "Misses for IO intended to skip the cache.",
      MetricType::Counter, kBdev}},
    {"stats_total/cache_miss_collisions",
     1,
     {"node_bcache_cache_miss_collisions_total",
      "Instances where data insertion from cache miss raced with write (data already present).",
      MetricType::Counter, kBdev}},
    {"stats_total/cache_readaheads",
     1,
     {"node_bcache_cache_readaheads_total", "Count of times readahead occurred.",
      MetricType::Counter, kBdev}},
};

// From writeback_rate_debug.
const MetricDesc kDirtyTarget{
    "node_bcache_dirty_target_bytes",
    "Current dirty data target threshold for this backing device in bytes.", MetricType::Gauge,
    kBdev};
const MetricDesc kWritebackRate{"node_bcache_writeback_rate",
                                "Current writeback rate for this backing device in bytes.",
                                MetricType::Gauge, kBdev};
const MetricDesc kProportional{"node_bcache_writeback_rate_proportional_term",
                               "Current result of proportional controller, part of writeback rate",
                               MetricType::Gauge, kBdev};
const MetricDesc kIntegral{"node_bcache_writeback_rate_integral_term",
                           "Current result of integral controller, part of writeback rate",
                           MetricType::Gauge, kBdev};
const MetricDesc kChange{"node_bcache_writeback_change",
                         "Last writeback rate change step for this backing device.",
                         MetricType::Gauge, kBdev};

const ValueFamily kCacheFamilies[] = {
    {"io_errors",
     1,
     {"node_bcache_io_errors", "Number of errors that have occurred, decayed by io_error_halflife.",
      MetricType::Gauge, kCache}},
    {"metadata_written",
     1,
     {"node_bcache_metadata_written_bytes_total",
      "Sum of all non data writes (btree writes and all other metadata).", MetricType::Counter,
      kCache}},
    {"written",
     1,
     {"node_bcache_written_bytes_total", "Sum of all data that has been written to the cache.",
      MetricType::Counter, kCache}},
};

// From priority_stats.
const MetricDesc kUnused{"node_bcache_priority_stats_unused_percent",
                         "The percentage of the cache that doesn't contain any data.",
                         MetricType::Gauge, kCache};
const MetricDesc kMetadata{"node_bcache_priority_stats_metadata_percent",
                           "Bcache's metadata overhead.", MetricType::Gauge, kCache};

std::vector<MetricDesc> AllDescs() {
  std::vector<MetricDesc> out;
  for (std::span<const ValueFamily> families :
       {std::span<const ValueFamily>(kSetFamilies), std::span<const ValueFamily>(kBdevFamilies),
        std::span<const ValueFamily>(kCacheFamilies)}) {
    for (const ValueFamily& f : families) {
      out.push_back(f.desc);
    }
  }
  out.insert(out.end(),
             {kDirtyTarget, kWritebackRate, kProportional, kIntegral, kChange, kUnused, kMetadata});
  return out;
}

template <class T>
void AddIf(MetricSink& out, const MetricDesc& desc, const std::optional<T>& value,
           std::initializer_list<std::string_view> labels) {
  if (value) {
    out.Add(desc, static_cast<double>(*value), labels);
  }
}

class BcacheCollector : public Collector {
 public:
  explicit BcacheCollector(const CollectorContext& ctx)
      : sys_(ctx.sys),
        priority_stats_(ctx.flags.Bool("collector.bcache.priorityStats")),
        descs_(AllDescs()) {}
  std::string_view name() const override { return "bcache"; }
  std::span<const MetricDesc> Describe() const override { return descs_; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto sets = sysfs::ListBcacheSets(sys_);
    if (!sets) {
      return sets.error();
    }
    for (const sysfs::BcacheSet& set : *sets) {
      if (auto r = AddValues(set.dir, kSetFamilies, {set.uuid}, out); !r) {
        return r;
      }
      for (const std::string& bdev : set.bdevs) {
        const std::string dir = set.dir + "/" + bdev;
        if (auto r = AddValues(dir, kBdevFamilies, {set.uuid, bdev}, out); !r) {
          return r;
        }
        // Read whole by procfs, even when absent: an error then.
        auto writeback = procfs::ParseReadAndRelease(
            sys_.ReadInto(dir + "/writeback_rate_debug", buffer_), buffer_,
            [&](std::string_view text) {
              return sysfs::ParseBcacheWriteback(dir + "/writeback_rate_debug", text);
            });
        if (!writeback) {
          return writeback.error();
        }
        AddIf(out, kDirtyTarget, writeback->target, {set.uuid, bdev});
        AddIf(out, kWritebackRate, writeback->rate, {set.uuid, bdev});
        AddIf(out, kProportional, writeback->proportional, {set.uuid, bdev});
        AddIf(out, kIntegral, writeback->integral, {set.uuid, bdev});
        AddIf(out, kChange, writeback->change, {set.uuid, bdev});
      }
      for (const std::string& cache : set.caches) {
        const std::string dir = set.dir + "/" + cache;
        if (auto r = AddValues(dir, kCacheFamilies, {set.uuid, cache}, out); !r) {
          return r;
        }
        if (!priority_stats_) {
          continue;
        }
        auto priority = procfs::ParseReadAndRelease(
            sys_.ReadInto(dir + "/priority_stats", buffer_), buffer_, [&](std::string_view text) {
              return sysfs::ParseBcachePriority(dir + "/priority_stats", text);
            });
        if (!priority) {
          return priority.error();
        }
        AddIf(out, kUnused, priority->unused_percent, {set.uuid, cache});
        AddIf(out, kMetadata, priority->metadata_percent, {set.uuid, cache});
      }
    }
    return {};
  }

 private:
  // The families of `families` read from `dir`; a file that does not exist
  // leaves its family out (procfs would report 0).
  procfs::Result<void> AddValues(const std::string& dir, std::span<const ValueFamily> families,
                                 std::initializer_list<std::string_view> labels, MetricSink& out) {
    for (const ValueFamily& family : families) {
      auto value = sysfs::ReadBcacheValue(sys_, dir + "/" + std::string(family.file), buffer_);
      if (!value) {
        return value.error();
      }
      if (*value) {
        out.Add(family.desc, static_cast<double>(**value) * family.scale, labels);
      }
    }
    return {};
  }

  const procfs::RootDir& sys_;
  const bool priority_stats_;
  const std::vector<MetricDesc> descs_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(bcache,
                          "bcache cache sets, backing and cache devices, from /sys/fs/bcache",
                          kEnabled, kFlags, BcacheCollector);

}  // namespace vitals::collectors
