#include "agent/status/host_summary.h"

#include <algorithm>
#include <cmath>

#include "agent/status/format.h"

namespace vitals::status {

namespace {

Cell Ratio(double ratio, std::string text) {
  Cell c;
  c.meter = ratio;
  c.text = std::move(text);
  return c;
}

Row Fact(std::string id, std::string label, Cell cell, std::string label_title = {}) {
  return Row{"host:" + std::move(id), std::move(label), std::move(label_title), {std::move(cell)}};
}

// CPU, memory, load, swap, file handles: one row each, when sampled.
Table Now(const FamilyIndex& f) {
  Table t;
  t.id = "host-now";
  t.label_column = "Measure";
  t.columns = {{"Value", "At the health sampler's last sample (every check interval, 15 s at most)"}};
  t.empty_text = "No host values sampled yet.";
  RowGroup& g = t.groups.emplace_back();
  if (auto busy = f.Value("vitals_sample_host_cpu_busy_ratio")) {
    g.rows.push_back(Fact("cpu", "CPU busy", Ratio(*busy, Percent(*busy) + " of all CPUs"),
                          "Share of CPU time not idle between the last two samples"));
  }
  if (auto avail = f.Value("vitals_sample_host_memory_available_ratio")) {
    std::string text = Percent(*avail) + " available";
    auto total = f.Value("node_memory_MemTotal_bytes");
    auto available = f.Value("node_memory_MemAvailable_bytes");
    if (total && available) {
      text += " (" + Bytes(*available) + " of " + Bytes(*total) + ")";
    }
    g.rows.push_back(Fact("memory", "Memory", Ratio(1 - *avail, std::move(text)),
                          "MemAvailable / MemTotal; the bar is the part in use"));
  }
  auto l1 = f.Value("vitals_sample_host_load1_per_core");
  auto l5 = f.Value("vitals_sample_host_load5_per_core");
  auto l15 = f.Value("vitals_sample_host_load15_per_core");
  if (l1 && l5 && l15) {
    std::string text = Fixed(*l1, 2) + " · " + Fixed(*l5, 2) + " · " + Fixed(*l15, 2) + " per CPU";
    auto a1 = f.Value("node_load1");
    if (a1 && *l1 > 0) {
      text += " (" + Fixed(*a1, 2) + " on " + Fixed(std::round(*a1 / *l1), 0) + " CPUs)";
    }
    g.rows.push_back(Fact("load", "Load", Ratio(*l1, std::move(text)),
                          "1, 5 and 15-minute load averages divided by the CPUs; above 1, "
                          "tasks wait for a CPU"));
  }
  if (auto swap = f.Value("vitals_sample_host_swap_used_ratio")) {
    auto total = f.Value("node_memory_SwapTotal_bytes");
    std::string text = total && *total == 0 ? "no swap" : Percent(*swap) + " used";
    if (total && *total > 0) {
      text += " of " + Bytes(*total);
    }
    g.rows.push_back(Fact("swap", "Swap", Ratio(*swap, std::move(text))));
  }
  if (auto fds = f.Value("vitals_sample_host_filefd_ratio")) {
    std::string text = Percent(*fds) + " of the kernel's limit";
    auto allocated = f.Value("node_filefd_allocated");
    if (allocated) {
      text += " (" + Fixed(*allocated, 0) + " open)";
    }
    g.rows.push_back(Fact("filefd", "File handles", Ratio(*fds, std::move(text)),
                          "Allocated file handles / fs.file-max"));
  }
  return t;
}

// node_filesystem_*: one row per mount point, as df shows it.
std::optional<Table> Filesystems(const FamilyIndex& f) {
  LabelColumns by_mount(f, "mountpoint");
  const auto& size = by_mount.Of("node_filesystem_size_bytes");
  if (size.empty()) {
    return std::nullopt;
  }
  Table t;
  t.id = "filesystems";
  t.caption = "Filesystems";
  t.label_column = "Mount point";
  t.columns = {{"Used", "Used / (used + available to users), as df computes Use%"},
               {"Available", "Bytes available to unprivileged users"},
               {"Size", ""},
               {"Inodes used", "", true},
               {"State", "Read-only, or an error reading its statistics"}};
  RowGroup& g = t.groups.emplace_back();
  for (const auto& [mount, s] : size) {
    Row row;
    row.id = "fs:" + mount;
    row.label = mount;
    row.label_title = std::string(LabelValue(*s.metric, "device")) + " (" +
                      std::string(LabelValue(*s.metric, "fstype")) + ")";
    const auto a = by_mount.At("node_filesystem_avail_bytes", mount);
    const auto fr = by_mount.At("node_filesystem_free_bytes", mount);
    if (a && fr && s.value > 0) {
      const double used = s.value - *fr;
      const double ratio = used + *a > 0 ? used / (used + *a) : 0;
      Cell c = Ratio(ratio, Percent(ratio));
      c.cls = ratio >= 0.95 ? "alert" : ratio >= 0.8 ? "warn" : "";
      row.cells.push_back(std::move(c));
    } else {
      row.cells.push_back(Missing("size, free or available bytes not reported"));
    }
    row.cells.push_back(a ? Cell{Bytes(*a)} : Missing("node_filesystem_avail_bytes not reported"));
    row.cells.push_back(Cell{Bytes(s.value)});
    const auto fi = by_mount.At("node_filesystem_files", mount);
    const auto ff = by_mount.At("node_filesystem_files_free", mount);
    row.cells.push_back(fi && ff && *fi > 0 ? Cell{Percent((*fi - *ff) / *fi)}
                                            : Missing("no inode counts"));
    std::string state;
    if (by_mount.At("node_filesystem_device_error", mount).value_or(0) == 1) {
      state = "⚠ error reading statistics";
    } else if (by_mount.At("node_filesystem_readonly", mount).value_or(0) == 1) {
      state = "read-only";
    }
    row.cells.push_back(Cell{state, state.empty() ? "" : "warn"});
    g.rows.push_back(std::move(row));
  }
  return t;
}

// node_disk_*: rates between two scrapes, totals since boot.
std::optional<Table> Disks(const DiskReading* previous, const DiskReading& current) {
  if (current.devices.empty()) {
    return std::nullopt;
  }
  const double elapsed =
      previous ? std::chrono::duration<double>(current.at - previous->at).count() : 0;
  Table t;
  t.id = "disks";
  t.caption = "Disks";
  t.label_column = "Device";
  t.columns = {{"Read", "Bytes read per second between the page's last two readings"},
               {"Written", "Bytes written per second between the page's last two readings"},
               {"Busy", "Share of time with I/O in progress (node_disk_io_time_seconds_total)"},
               {"Read since boot", "", true},
               {"Written since boot", "", true}};
  RowGroup& g = t.groups.emplace_back();
  for (const auto& entry : current.devices) {
    // Named apart: clang 14 cannot capture a structured binding.
    const std::string& device = entry.first;
    const DiskReading::Counters& now = entry.second;
    const DiskReading::Counters* before = nullptr;
    if (previous != nullptr && elapsed > 0) {
      auto it = previous->devices.find(device);
      before = it == previous->devices.end() ? nullptr : &it->second;
    }
    // A rate needs this reading and the one before; a counter that went
    // back (a device replaced) gives none rather than a negative one.
    auto rate = [&](auto field) -> std::optional<double> {
      if (before == nullptr || !(now.*field) || !(before->*field) ||
          *(now.*field) < *(before->*field)) {
        return std::nullopt;
      }
      return (*(now.*field) - *(before->*field)) / elapsed;
    };
    const std::string why = previous == nullptr ? "needs two readings (the page reads the disks "
                                                  "every 10 s while it is open)"
                                                : "not reported in both readings";
    Row row{"disk:" + device, device, "", {}};
    using C = DiskReading::Counters;
    for (auto field : {&C::read_bytes, &C::written_bytes}) {
      auto r = rate(field);
      row.cells.push_back(r ? Cell{Bytes(*r) + "/s"} : Missing(why));
    }
    auto busy = rate(&C::io_seconds);
    row.cells.push_back(busy ? Ratio(*busy, Percent(std::min(1.0, *busy))) : Missing(why));
    for (auto field : {&C::read_bytes, &C::written_bytes}) {
      row.cells.push_back(now.*field ? Cell{Bytes(*(now.*field))} : Missing("not reported"));
    }
    g.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace

std::vector<std::string> SummaryValues() {
  return {"host.cpu_busy_ratio", "host.memory_available_ratio", "host.load1_per_core",
          "host.load5_per_core", "host.load15_per_core", "host.swap_used_ratio",
          "host.filefd_ratio"};
}

bool ReadFromScrape(std::string_view family) {
  // Every scrape family read in this file and in the groups section.
  static constexpr std::string_view kRead[] = {
      "node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes",
      "node_memory_SwapTotal_bytes", "node_load1", "node_filefd_allocated",
      "node_filesystem_size_bytes", "node_filesystem_avail_bytes", "node_filesystem_free_bytes",
      "node_filesystem_files", "node_filesystem_files_free", "node_filesystem_readonly",
      "node_filesystem_device_error", "node_disk_read_bytes_total",
      "node_disk_written_bytes_total", "node_disk_io_time_seconds_total",
      "namedprocess_namegroup_worst_fd_limit"};
  return std::find(std::begin(kRead), std::end(kRead), family) != std::end(kRead);
}

DiskReading ReadDisks(const FamilyIndex& families, std::chrono::system_clock::time_point at) {
  DiskReading out;
  out.at = at;
  using C = DiskReading::Counters;
  const std::pair<const char*, std::optional<double> C::*> kFields[] = {
      {"node_disk_read_bytes_total", &C::read_bytes},
      {"node_disk_written_bytes_total", &C::written_bytes},
      {"node_disk_io_time_seconds_total", &C::io_seconds}};
  for (const auto& [name, field] : kFields) {
    for (const auto& [device, sample] : families.ByLabel(name, "device")) {
      out.devices[device].*field = sample.value;
    }
  }
  return out;
}

std::vector<Table> HostTables(const FamilyIndex& families, const DiskReading* previous,
                              const DiskReading& current) {
  std::vector<Table> out;
  out.push_back(Now(families));
  if (auto fs = Filesystems(families)) {
    out.push_back(std::move(*fs));
  }
  if (auto disks = Disks(previous, current)) {
    out.push_back(std::move(*disks));
  }
  return out;
}

}  // namespace vitals::status
