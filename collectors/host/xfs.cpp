// node_exporter's "xfs" collector: the counters of each mounted XFS
// filesystem, from /sys/fs/xfs/<device>/stats/stats.

#include "collectors/sysfs/xfs.h"

#include "collectors/collector_registry.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;

// A counter node_exporter exports: the stats line it is on, its position
// there, and its family (labelled by device).
struct XfsCounter {
  std::string_view line;
  std::size_t index;
  MetricDesc desc;
};

const std::vector<std::string_view> kDevice = {"device"};
// clang-format off
const XfsCounter kCounters[] = {
    {"extent_alloc", 0, {"node_xfs_extent_allocation_extents_allocated_total",
        "Number of extents allocated for a filesystem.", MetricType::Counter, kDevice}},
    {"extent_alloc", 1, {"node_xfs_extent_allocation_blocks_allocated_total",
        "Number of blocks allocated for a filesystem.", MetricType::Counter, kDevice}},
    {"extent_alloc", 2, {"node_xfs_extent_allocation_extents_freed_total",
        "Number of extents freed for a filesystem.", MetricType::Counter, kDevice}},
    {"extent_alloc", 3, {"node_xfs_extent_allocation_blocks_freed_total",
        "Number of blocks freed for a filesystem.", MetricType::Counter, kDevice}},
    {"abt", 0, {"node_xfs_allocation_btree_lookups_total",
        "Number of allocation B-tree lookups for a filesystem.", MetricType::Counter, kDevice}},
    {"abt", 1, {"node_xfs_allocation_btree_compares_total",
        "Number of allocation B-tree compares for a filesystem.", MetricType::Counter, kDevice}},
    {"abt", 2, {"node_xfs_allocation_btree_records_inserted_total",
        "Number of allocation B-tree records inserted for a filesystem.",
        MetricType::Counter, kDevice}},
    {"abt", 3, {"node_xfs_allocation_btree_records_deleted_total",
        "Number of allocation B-tree records deleted for a filesystem.",
        MetricType::Counter, kDevice}},
    {"blk_map", 0, {"node_xfs_block_mapping_reads_total",
        "Number of block map for read operations for a filesystem.", MetricType::Counter, kDevice}},
    {"blk_map", 1, {"node_xfs_block_mapping_writes_total",
        "Number of block map for write operations for a filesystem.",
        MetricType::Counter, kDevice}},
    {"blk_map", 2, {"node_xfs_block_mapping_unmaps_total",
        "Number of block unmaps (deletes) for a filesystem.", MetricType::Counter, kDevice}},
    {"blk_map", 3, {"node_xfs_block_mapping_extent_list_insertions_total",
        "Number of extent list insertions for a filesystem.", MetricType::Counter, kDevice}},
    {"blk_map", 4, {"node_xfs_block_mapping_extent_list_deletions_total",
        "Number of extent list deletions for a filesystem.", MetricType::Counter, kDevice}},
    {"blk_map", 5, {"node_xfs_block_mapping_extent_list_lookups_total",
        "Number of extent list lookups for a filesystem.", MetricType::Counter, kDevice}},
    {"blk_map", 6, {"node_xfs_block_mapping_extent_list_compares_total",
        "Number of extent list compares for a filesystem.", MetricType::Counter, kDevice}},
    {"bmbt", 0, {"node_xfs_block_map_btree_lookups_total",
        "Number of block map B-tree lookups for a filesystem.", MetricType::Counter, kDevice}},
    {"bmbt", 1, {"node_xfs_block_map_btree_compares_total",
        "Number of block map B-tree compares for a filesystem.", MetricType::Counter, kDevice}},
    {"bmbt", 2, {"node_xfs_block_map_btree_records_inserted_total",
        "Number of block map B-tree records inserted for a filesystem.",
        MetricType::Counter, kDevice}},
    {"bmbt", 3, {"node_xfs_block_map_btree_records_deleted_total",
        "Number of block map B-tree records deleted for a filesystem.",
        MetricType::Counter, kDevice}},
    {"dir", 0, {"node_xfs_directory_operation_lookup_total",
        "Number of file name directory lookups which miss the operating systems directory name "
        "lookup cache.",
        MetricType::Counter, kDevice}},
    {"dir", 1, {"node_xfs_directory_operation_create_total",
        "Number of times a new directory entry was created for a filesystem.",
        MetricType::Counter, kDevice}},
    {"dir", 2, {"node_xfs_directory_operation_remove_total",
        "Number of times an existing directory entry was created for a filesystem.",
        MetricType::Counter, kDevice}},
    {"dir", 3, {"node_xfs_directory_operation_getdents_total",
        "Number of times the directory getdents operation was performed for a filesystem.",
        MetricType::Counter, kDevice}},
    {"ig", 0, {"node_xfs_inode_operation_attempts_total",
        "Number of times the OS looked for an XFS inode in the inode cache.",
        MetricType::Counter, kDevice}},
    {"ig", 1, {"node_xfs_inode_operation_found_total",
        "Number of times the OS looked for and found an XFS inode in the inode cache.",
        MetricType::Counter, kDevice}},
    {"ig", 2, {"node_xfs_inode_operation_recycled_total",
        "Number of times the OS found an XFS inode in the cache, but could not use it as it was "
        "being recycled.",
        MetricType::Counter, kDevice}},
    {"ig", 3, {"node_xfs_inode_operation_missed_total",
        "Number of times the OS looked for an XFS inode in the cache, but did not find it.",
        MetricType::Counter, kDevice}},
    {"ig", 4, {"node_xfs_inode_operation_duplicates_total",
        "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it "
        "had already been added by another process.",
        MetricType::Counter, kDevice}},
    {"ig", 5, {"node_xfs_inode_operation_reclaims_total",
        "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for "
        "another purpose.",
        MetricType::Counter, kDevice}},
    {"ig", 6, {"node_xfs_inode_operation_attribute_changes_total",
        "Number of times the OS explicitly changed the attributes of an XFS inode.",
        MetricType::Counter, kDevice}},
    {"rw", 1, {"node_xfs_read_calls_total",
        "Number of read(2) system calls made to files in a filesystem.",
        MetricType::Counter, kDevice}},
    {"rw", 0, {"node_xfs_write_calls_total",
        "Number of write(2) system calls made to files in a filesystem.",
        MetricType::Counter, kDevice}},
    {"vnodes", 0, {"node_xfs_vnode_active_total",
        "Number of vnodes not on free lists for a filesystem.", MetricType::Counter, kDevice}},
    {"vnodes", 1, {"node_xfs_vnode_allocate_total",
        "Number of times vn_alloc called for a filesystem.", MetricType::Counter, kDevice}},
    {"vnodes", 2, {"node_xfs_vnode_get_total",
        "Number of times vn_get called for a filesystem.", MetricType::Counter, kDevice}},
    {"vnodes", 3, {"node_xfs_vnode_hold_total",
        "Number of times vn_hold called for a filesystem.", MetricType::Counter, kDevice}},
    {"vnodes", 4, {"node_xfs_vnode_release_total",
        "Number of times vn_rele called for a filesystem.", MetricType::Counter, kDevice}},
    {"vnodes", 5, {"node_xfs_vnode_reclaim_total",
        "Number of times vn_reclaim called for a filesystem.", MetricType::Counter, kDevice}},
    {"vnodes", 6, {"node_xfs_vnode_remove_total",
        "Number of times vn_remove called for a filesystem.", MetricType::Counter, kDevice}},
};
// clang-format on

std::vector<MetricDesc> AllDescs() {
  std::vector<MetricDesc> out;
  for (const XfsCounter& c : kCounters) {
    out.push_back(c.desc);
  }
  return out;
}

class XfsCollector : public Collector {
 public:
  explicit XfsCollector(const CollectorContext& ctx) : sys_(ctx.sys), descs_(AllDescs()) {}
  std::string_view name() const override { return "xfs"; }
  std::span<const MetricDesc> Describe() const override { return descs_; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto devices = sysfs::ListXfsDevices(sys_);
    if (!devices) {
      return devices.error();
    }
    for (const std::string& device : *devices) {
      const std::string path = "fs/xfs/" + device + "/stats/stats";
      auto text = sys_.ReadInto(path, buffer_);
      if (!text) {
        return text.error();
      }
      if (auto parsed = sysfs::ParseXfsStats(path, *text, stats_); !parsed) {
        return parsed.error();
      }
      // A line the file lacks leaves its families out (procfs would say 0).
      for (const XfsCounter& counter : kCounters) {
        auto values = stats_.Find(counter.line);
        if (counter.index < values.size()) {
          out.Add(counter.desc, static_cast<double>(values[counter.index]), {device});
        }
      }
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  const std::vector<MetricDesc> descs_;
  std::string buffer_;
  sysfs::XfsStats stats_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(xfs, "XFS filesystem counters, from /sys/fs/xfs/<device>/stats/stats",
                          kEnabled, {}, XfsCollector);

}  // namespace vitals::collectors
