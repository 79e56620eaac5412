#pragma once
// The host section of the status page, from whatever families are present:
// the sampler's vitals_sample_host_* (CPU busy, memory available, load per
// CPU, swap, file handles, kept by the health sampler) and node_exporter's
// families from a scrape (node_memory_*, node_load*, node_filesystem_*,
// node_disk_*). A row or a table is there only when its families are, so
// collectors added later show up without a change here.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/status/family_index.h"
#include "agent/status/view.h"

namespace vitals::status {

// The health sampler's values (SampledValues() names) the "host" table
// shows: the agent samples them whatever its checks read.
std::vector<std::string> SummaryValues();

// True for the scrape families HostTables and the groups section read, so
// a caller keeps only those between scrapes.
bool ReadFromScrape(std::string_view family);

// Disk counters of one scrape, kept for the rates of the next.
struct DiskReading {
  std::chrono::system_clock::time_point at;
  struct Counters {
    std::optional<double> read_bytes, written_bytes, io_seconds;
  };
  std::map<std::string, Counters> devices;
};
DiskReading ReadDisks(const FamilyIndex& families, std::chrono::system_clock::time_point at);

// "host" (CPU, memory, load, swap, file handles), "filesystems" and "disks";
// rates of disks between `previous` and `current` when both exist.
std::vector<Table> HostTables(const FamilyIndex& families, const DiskReading* previous,
                              const DiskReading& current);

}  // namespace vitals::status
