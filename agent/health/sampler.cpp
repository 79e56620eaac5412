#include "agent/health/sampler.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "collectors/collector_flags.h"

#include "collectors/procfs/file_nr.h"
#include "collectors/procfs/loadavg.h"
#include "collectors/procfs/meminfo.h"
#include "collectors/procfs/pressure.h"
#include "collectors/procfs/stat.h"

namespace vitals::health {

namespace {

std::string Key(const ValueKey& key) {
  return key.instance.empty() ? key.value : key.value + "/" + key.instance;
}

// The PSI values: avg10 of /proc/pressure/<resource>'s "some" and "full"
// lines. Read here, not from the pressure collector: node_exporter's
// families carry only the totals, and avg10 is what the kernel averages.
struct PsiValues {
  std::string_view resource, some, full;
};
const PsiValues kPsiValues[] = {
    {"cpu", "host.pressure_cpu_some_avg10_ratio", "host.pressure_cpu_full_avg10_ratio"},
    {"memory", "host.pressure_memory_some_avg10_ratio", "host.pressure_memory_full_avg10_ratio"},
    {"io", "host.pressure_io_some_avg10_ratio", "host.pressure_io_full_avg10_ratio"},
};

// The /proc files behind the values Sample() computes itself. A value per
// core needs the CPU count, from stat.
enum ProcFile : unsigned { kStat = 1, kMeminfo = 2, kLoadavg = 4, kFileNr = 8 };
struct ProcFileValue {
  std::string_view value;
  unsigned files;
};
const ProcFileValue kProcFileValues[] = {
    {"host.cpu_busy_ratio", kStat},
    {"host.memory_available_ratio", kMeminfo},
    {"host.swap_used_ratio", kMeminfo},
    {"host.load1_per_core", kStat | kLoadavg},
    {"host.load5_per_core", kStat | kLoadavg},
    {"host.load15_per_core", kStat | kLoadavg},
    {"host.filefd_ratio", kFileNr},
};

// One family's values by the selector label's value ("" without one).
using Series = std::map<std::string, double, std::less<>>;
const prometheus::MetricFamily* FindFamily(const std::vector<prometheus::MetricFamily>& families,
                                           std::string_view name) {
  for (const auto& family : families) {
    if (family.name == name) {
      return &family;
    }
  }
  return nullptr;
}
Series ValuesBy(const prometheus::MetricFamily& family, std::string_view label) {
  Series out;
  for (const auto& metric : family.metric) {
    std::string instance;
    for (const auto& pair : metric.label) {
      if (pair.name == label) {
        instance = pair.value;
      }
    }
    const double v = family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                                     : metric.gauge.value;
    // Two series of one instance (a mount point mounted over): the last
    // listed is the one mounted last, the one a path reaches.
    out.insert_or_assign(std::move(instance), v);
  }
  return out;
}

}  // namespace

std::span<const SampledValue> SampledValues() {
  using prometheus::MetricType;
  static const SampledValue kValues[] = {
      {"host.cpu_busy_ratio", false, true,
       {"vitals_sample_host_cpu_busy_ratio",
        "Share of CPU time not idle between the last two samples, all CPUs.", MetricType::Gauge, {}}},
      {"host.memory_available_ratio", false, false,
       {"vitals_sample_host_memory_available_ratio", "MemAvailable / MemTotal at the last sample.",
        MetricType::Gauge, {}}},
      {"host.load1_per_core", false, true,
       {"vitals_sample_host_load1_per_core", "1-minute load average divided by the number of CPUs.",
        MetricType::Gauge, {}}},
      {"host.load5_per_core", false, true,
       {"vitals_sample_host_load5_per_core", "5-minute load average divided by the number of CPUs.",
        MetricType::Gauge, {}}},
      {"host.load15_per_core", false, true,
       {"vitals_sample_host_load15_per_core",
        "15-minute load average divided by the number of CPUs.", MetricType::Gauge, {}}},
      {"host.filefd_ratio", false, true,
       {"vitals_sample_host_filefd_ratio",
        "Allocated file handles / fs.file-max at the last sample.", MetricType::Gauge, {}}},
      {"host.swap_used_ratio", false, true,
       {"vitals_sample_host_swap_used_ratio",
        "Used swap / total swap at the last sample (0 with no swap).", MetricType::Gauge, {}}},
      {"host.filesystem_free_ratio", false, false,
       {"vitals_sample_host_filesystem_free_ratio",
        "Space available to non-root users / size, per mount point, at the last sample.",
        MetricType::Gauge, {"mountpoint"}},
       {"filesystem", "node_filesystem_avail_bytes", "node_filesystem_size_bytes", Combine::kRatio,
        "node_filesystem_device_error"}},
      {"host.filesystem_free_inodes_ratio", false, false,
       {"vitals_sample_host_filesystem_free_inodes_ratio",
        "Free inodes / inodes, per mount point, at the last sample.", MetricType::Gauge,
        {"mountpoint"}},
       {"filesystem", "node_filesystem_files_free", "node_filesystem_files", Combine::kRatio,
        "node_filesystem_device_error"}},
      {"host.filesystem_readonly", false, true,
       {"vitals_sample_host_filesystem_readonly",
        "1 if the filesystem is mounted read-only, per mount point, at the last sample.",
        MetricType::Gauge, {"mountpoint"}},
       {"filesystem", "node_filesystem_readonly", {}, Combine::kRaw,
        "node_filesystem_device_error"}},
      {"host.pressure_cpu_some_avg10_ratio", false, true,
       {"vitals_sample_host_pressure_cpu_some_avg10_ratio",
        "Share of the last 10s some tasks waited for CPU (PSI some avg10 / 100).",
        MetricType::Gauge, {}}},
      {"host.pressure_cpu_full_avg10_ratio", false, true,
       {"vitals_sample_host_pressure_cpu_full_avg10_ratio",
        "Share of the last 10s all non-idle tasks waited for CPU (PSI full avg10 / 100).",
        MetricType::Gauge, {}}},
      {"host.pressure_memory_some_avg10_ratio", false, true,
       {"vitals_sample_host_pressure_memory_some_avg10_ratio",
        "Share of the last 10s some tasks waited for memory (PSI some avg10 / 100).",
        MetricType::Gauge, {}}},
      {"host.pressure_memory_full_avg10_ratio", false, true,
       {"vitals_sample_host_pressure_memory_full_avg10_ratio",
        "Share of the last 10s all non-idle tasks waited for memory (PSI full avg10 / 100).",
        MetricType::Gauge, {}}},
      {"host.pressure_io_some_avg10_ratio", false, true,
       {"vitals_sample_host_pressure_io_some_avg10_ratio",
        "Share of the last 10s some tasks waited for I/O (PSI some avg10 / 100).",
        MetricType::Gauge, {}}},
      {"host.pressure_io_full_avg10_ratio", false, true,
       {"vitals_sample_host_pressure_io_full_avg10_ratio",
        "Share of the last 10s all non-idle tasks waited for I/O (PSI full avg10 / 100).",
        MetricType::Gauge, {}}},
      {"host.disk_busy_ratio", false, true,
       {"vitals_sample_host_disk_busy_ratio",
        "Share of time the device was doing I/O between the last two samples, per device.",
        MetricType::Gauge, {"device"}},
       {"diskstats", "node_disk_io_time_seconds_total", {}, Combine::kPerSecond}},
      {"host.network_receive_error_ratio", false, true,
       {"vitals_sample_host_network_receive_error_ratio",
        "Receive errors / (packets received + receive errors) between the last two samples, "
        "per device (0 when neither grew).",
        MetricType::Gauge, {"device"}},
       {"netdev", "node_network_receive_errs_total", "node_network_receive_packets_total",
        Combine::kShareOfSum}},
      {"host.network_transmit_error_ratio", false, true,
       {"vitals_sample_host_network_transmit_error_ratio",
        "Transmit errors / (packets sent + transmit errors) between the last two samples, "
        "per device (0 when neither grew).",
        MetricType::Gauge, {"device"}},
       {"netdev", "node_network_transmit_errs_total", "node_network_transmit_packets_total",
        Combine::kShareOfSum}},
      {"host.network_receive_drop_ratio", false, true,
       {"vitals_sample_host_network_receive_drop_ratio",
        "Packets dropped on receive / (packets received + dropped) between the last two samples, "
        "per device (0 when neither grew).",
        MetricType::Gauge, {"device"}},
       {"netdev", "node_network_receive_drop_total", "node_network_receive_packets_total",
        Combine::kShareOfSum}},
      {"host.network_transmit_drop_ratio", false, true,
       {"vitals_sample_host_network_transmit_drop_ratio",
        "Packets dropped on transmit / (packets sent + dropped) between the last two samples, "
        "per device (0 when neither grew).",
        MetricType::Gauge, {"device"}},
       {"netdev", "node_network_transmit_drop_total", "node_network_transmit_packets_total",
        Combine::kShareOfSum}},
      {"host.conntrack_usage_ratio", false, true,
       {"vitals_sample_host_conntrack_usage_ratio",
        "Connection tracking entries / the table's limit at the last sample.", MetricType::Gauge,
        {}},
       {"conntrack", "node_nf_conntrack_entries", "node_nf_conntrack_entries_limit",
        Combine::kRatio}},
      {"host.clock_offset_seconds", false, true,
       {"vitals_sample_host_clock_offset_seconds",
        "Absolute offset of the system clock from its reference (adjtimex) at the last sample.",
        MetricType::Gauge, {}},
       {"timex", "node_timex_offset_seconds", {}, Combine::kAbs}},
      {"host.clock_synced", false, false,
       {"vitals_sample_host_clock_synced",
        "1 if the kernel says the clock is synchronized (adjtimex) at the last sample, else 0.",
        MetricType::Gauge, {}},
       {"timex", "node_timex_sync_status", {}, Combine::kRaw}},
      {"group.num_procs", true, false,
       {"vitals_sample_group_num_procs", "Processes in the group.", MetricType::Gauge,
        {"groupname"}}},
      {"group.cpu_ratio", true, true,
       {"vitals_sample_group_cpu_ratio",
        "CPU seconds per second of the group between the last two samples, divided by the CPUs.",
        MetricType::Gauge, {"groupname"}}},
      {"group.memory_rss_bytes", true, true,
       {"vitals_sample_group_memory_rss_bytes", "Resident memory of the group.", MetricType::Gauge,
        {"groupname"}}},
      {"group.num_threads", true, true,
       {"vitals_sample_group_num_threads", "Threads in the group.", MetricType::Gauge,
        {"groupname"}}},
      {"group.open_fds", true, true,
       {"vitals_sample_group_open_fds", "Open file descriptors of the group.", MetricType::Gauge,
        {"groupname"}}},
      {"group.worst_fd_ratio", true, true,
       {"vitals_sample_group_worst_fd_ratio",
        "Highest open fds / soft fd limit of any process in the group.", MetricType::Gauge,
        {"groupname"}}},
  };
  return kValues;
}

Sampler::Sampler(procfs::ProcFs proc, std::shared_ptr<const Clock> clock)
    : proc_(std::move(proc)), clock_(std::move(clock)) {}

void Sampler::SetGroupReader(GroupReader reader) {
  std::lock_guard lock(mutex_);
  group_reader_ = std::move(reader);
}

void Sampler::SetHostCollectors(const collectors::CollectorContext& context,
                                const collectors::CollectorRegistry& registry) {
  host_collectors_.clear();
  for (const SampledValue& v : SampledValues()) {
    const std::string_view name = v.from.collector;
    if (!name.empty() && host_collectors_.count(name) == 0) {
      const collectors::CollectorInfo* info = registry.Find(name);
      host_collectors_[name] = info != nullptr ? info->factory(context) : nullptr;
    }
  }
}

bool Sampler::SetNeeds(const std::set<std::string, std::less<>>& values) {
  Reads reads;
  for (const SampledValue& v : SampledValues()) {
    if (values.count(v.name) == 0) {
      continue;
    }
    if (!v.from.collector.empty()) {
      reads.host_collectors.insert(v.from.collector);
    }
    for (const PsiValues& psi : kPsiValues) {
      if (v.name == psi.some || v.name == psi.full) {
        reads.pressure.insert(psi.resource);
      }
    }
    for (const ProcFileValue& p : kProcFileValues) {
      if (v.name == p.value) {
        reads.files |= p.files;
      }
    }
  }
  std::lock_guard lock(mutex_);
  const bool more = (reads.files & ~reads_.files) != 0 ||
                    !std::includes(reads_.pressure.begin(), reads_.pressure.end(),
                                   reads.pressure.begin(), reads.pressure.end()) ||
                    !std::includes(reads_.host_collectors.begin(), reads_.host_collectors.end(),
                                   reads.host_collectors.begin(), reads.host_collectors.end());
  reads_ = std::move(reads);
  return more;
}

void Sampler::Put(std::map<std::string, Value>& values, const std::string& key,
                  Value value) const {
  values.insert_or_assign(key, std::move(value));
}

void Sampler::SamplePressure(std::map<std::string, Value>& values, SteadyTime now,
                             const std::set<std::string_view>& resources) {
  for (const PsiValues& r : kPsiValues) {
    if (resources.count(r.resource) == 0) {
      continue;
    }
    const std::string some(r.some), full(r.full);
    auto psi = procfs::ReadPsi(proc_, r.resource, buffer_);
    if (!psi) {
      std::string why = psi.error().ToString();
      if (psi.error().code == procfs::Errc::kNotFound) {
        why += " (pressure stall information needs Linux >= 4.20 with CONFIG_PSI)";
      } else if (psi.error().sys_errno == EOPNOTSUPP) {
        why += " (pressure stall information is off: boot with psi=1)";
      }
      Put(values, some, why);
      Put(values, full, why);
      continue;
    }
    auto put = [&](const std::string& key, const std::optional<procfs::PsiLine>& line,
                   const char* kind) {
      if (line) {
        Put(values, key, health::Sample{line->avg10 / 100, now});
      } else {
        Put(values, key,
            "pressure/" + std::string(r.resource) + " has no \"" + kind + "\" line" +
                (r.resource == "cpu" ? " (Linux before 5.13)" : ""));
      }
    };
    put(some, psi->some, "some");
    put(full, psi->full, "full");
  }
}

std::variant<std::vector<prometheus::MetricFamily>, std::string> Sampler::RunCollector(
    std::string_view name) {
  auto found = host_collectors_.find(name);
  if (found == host_collectors_.end()) {
    return std::string("the host collectors are not set up");
  }
  if (!found->second) {
    return "the " + std::string(name) + " collector is not in this build";
  }
  collectors::MetricSink sink;
  if (auto done = found->second->Collect(sink); !done) {
    return "the " + std::string(name) + " collector: " + done.error().ToString();
  }
  return sink.Take();
}

void Sampler::SampleHost(std::map<std::string, Value>& values, SteadyTime now,
                         const std::set<std::string_view>& collectors) {
  // Each collector runs once per sample, for all the rows that name it.
  std::map<std::string_view, std::variant<std::vector<prometheus::MetricFamily>, std::string>>
      ran;
  std::map<std::string, Counters> counters;
  for (const SampledValue& row : SampledValues()) {
    const HostSource& from = row.from;
    if (from.collector.empty() || collectors.count(from.collector) == 0) {
      continue;
    }
    const std::string name(row.name);
    auto it = ran.find(from.collector);
    if (it == ran.end()) {
      it = ran.emplace(from.collector, RunCollector(from.collector)).first;
    }
    if (auto* why = std::get_if<std::string>(&it->second)) {
      Put(values, name, *why);
      continue;
    }
    const auto& families = std::get<0>(it->second);
    const std::string_view label = row.metric.labels.empty() ? "" : row.metric.labels[0];
    // A family the collector did not emit: no instances for a per-instance
    // value (every mount excluded), an error for a host value.
    auto series = [&](std::string_view family_name) -> std::optional<Series> {
      const prometheus::MetricFamily* family = FindFamily(families, family_name);
      if (family == nullptr) {
        return label.empty() ? std::nullopt : std::optional<Series>(Series{});
      }
      return ValuesBy(*family, label);
    };
    const auto a = series(from.a);
    const auto b = from.b.empty() ? std::optional<Series>(Series{}) : series(from.b);
    if (!a || !b) {
      Put(values, name,
          "the " + std::string(from.collector) + " collector reported no " +
              std::string(!a ? from.a : from.b));
      continue;
    }
    std::set<std::string, std::less<>> instances;
    for (const auto& entry : *a) {
      instances.insert(entry.first);
    }
    Series errors;
    if (!from.error_family.empty()) {
      errors = series(from.error_family).value_or(Series{});
      for (const auto& [instance, v] : errors) {
        if (v != 0) {
          instances.insert(instance);
        }
      }
    }
    for (const std::string& instance : instances) {
      const std::string key = instance.empty() ? name : name + "/" + instance;
      auto fail = [&](const std::string& why) { Put(values, key, why); };
      if (auto e = errors.find(instance); e != errors.end() && e->second != 0) {
        fail(std::string(from.error_family) + " is 1 (the agent's log says why)");
        continue;
      }
      const auto av = a->find(instance);
      const auto bv = b->find(instance);
      if (av == a->end() || (!from.b.empty() && bv == b->end())) {
        fail("the " + std::string(from.collector) + " collector reported no " +
             std::string(av == a->end() ? from.a : from.b) + " for it");
        continue;
      }
      const double x = av->second;
      const double y = from.b.empty() ? 0 : bv->second;
      switch (from.combine) {
        case Combine::kRaw:
          Put(values, key, health::Sample{x, now});
          continue;
        case Combine::kAbs:
          Put(values, key, health::Sample{std::abs(x), now});
          continue;
        case Combine::kRatio:
          if (y == 0) {
            fail(std::string(from.b) + " is 0");
          } else {
            Put(values, key, health::Sample{x / y, now});
          }
          continue;
        case Combine::kPerSecond:
        case Combine::kShareOfSum:
          break;
      }
      // A rate between two samples, over at least kMinCpuInterval as the
      // CPU ratio (sooner: the base and the last value are kept).
      const Counters reading{x, y, now};
      auto last = last_counters_.find(key);
      if (last == last_counters_.end()) {
        fail("needs two samples");
        counters[key] = reading;
        continue;
      }
      if (now - last->second.taken < kMinCpuInterval) {
        auto kept = values_.find(key);  // values_ is written only by this thread
        Put(values, key, kept != values_.end() ? kept->second : Value("needs two samples"));
        counters[key] = last->second;
        continue;
      }
      counters[key] = reading;
      const double da = x - last->second.a;
      const double db = y - last->second.b;
      if (da < 0 || db < 0) {
        fail("a counter went back between the last two samples (reset): needs two samples");
      } else if (from.combine == Combine::kPerSecond) {
        Put(values, key,
            health::Sample{da / std::chrono::duration<double>(now - last->second.taken).count(),
                           now});
      } else {
        Put(values, key, health::Sample{da + db == 0 ? 0 : da / (da + db), now});
      }
    }
  }
  last_counters_ = std::move(counters);
}

void Sampler::SampleProcFiles(std::map<std::string, Value>& values, SteadyTime now,
                              unsigned files) {
  auto put = [&](const char* key, double v) { Put(values, key, health::Sample{v, now}); };
  auto fail = [&](std::initializer_list<const char*> keys, const std::string& why) {
    for (const char* key : keys) {
      Put(values, key, why);
    }
  };

  // /proc/stat: CPU busy ratio between two samples, and the CPU count. Not
  // read, it leaves no base: a ratio over the time it was not read would
  // not be what a check asked for.
  if ((files & kStat) == 0) {
    last_cpu_.reset();
    cpus_ = 0;
  } else if (auto stat = procfs::ReadStat(proc_, buffer_); !stat) {
    fail({"host.cpu_busy_ratio"}, stat.error().ToString());
  } else {
    using M = procfs::CpuTimes;
    const auto& t = stat->total.ticks;
    const double idle = static_cast<double>(t[M::kIdle] + t[M::kIowait]);
    // guest time is already inside user and nice.
    const double busy = static_cast<double>(t[M::kUser] + t[M::kNice] + t[M::kSystem] +
                                            t[M::kIrq] + t[M::kSoftirq] + t[M::kSteal]);
    cpus_ = stat->cpus.size();
    const CpuReading reading{busy, busy + idle, now};
    if (!last_cpu_) {
      fail({"host.cpu_busy_ratio"}, "needs two samples");
      last_cpu_ = reading;
    } else if (now - last_cpu_->taken < kMinCpuInterval) {
      // Too soon for a ratio: keep the base, and the last ratio with the
      // time it was taken (values_ is written only by this thread).
      auto last = values_.find("host.cpu_busy_ratio");
      Put(values, "host.cpu_busy_ratio",
          last != values_.end() ? last->second : Value(std::string("needs two samples")));
    } else {
      if (reading.total <= last_cpu_->total || reading.busy < last_cpu_->busy) {
        fail({"host.cpu_busy_ratio"}, "no CPU time passed between the last two samples");
      } else {
        put("host.cpu_busy_ratio",
            (reading.busy - last_cpu_->busy) / (reading.total - last_cpu_->total));
      }
      last_cpu_ = reading;
    }
  }

  if ((files & kMeminfo) != 0) {
    if (auto meminfo = procfs::ReadMeminfo(proc_, buffer_); !meminfo) {
      fail({"host.memory_available_ratio", "host.swap_used_ratio"}, meminfo.error().ToString());
    } else {
      std::optional<double> total, available, swap_total, swap_free;
      for (const auto& field : *meminfo) {
        const auto v = static_cast<double>(field.value);
        if (field.name == "MemTotal") {
          total = v;
        } else if (field.name == "MemAvailable") {
          available = v;
        } else if (field.name == "SwapTotal") {
          swap_total = v;
        } else if (field.name == "SwapFree") {
          swap_free = v;
        }
      }
      if (!total || !available || *total <= 0) {
        fail({"host.memory_available_ratio"},
             "meminfo: MemTotal or MemAvailable missing (MemAvailable needs Linux 3.14)");
      } else {
        put("host.memory_available_ratio", *available / *total);
      }
      if (!swap_total || !swap_free) {
        fail({"host.swap_used_ratio"}, "meminfo: SwapTotal or SwapFree missing");
      } else {
        put("host.swap_used_ratio",
            *swap_total > 0 ? (*swap_total - *swap_free) / *swap_total : 0);
      }
    }
  }

  if ((files & kLoadavg) != 0) {
    if (auto load = procfs::ReadLoadavg(proc_, buffer_); !load) {
      fail({"host.load1_per_core", "host.load5_per_core", "host.load15_per_core"},
           load.error().ToString());
    } else if (cpus_ == 0) {
      fail({"host.load1_per_core", "host.load5_per_core", "host.load15_per_core"},
           "the number of CPUs is unknown (/proc/stat lists none)");
    } else {
      const auto cpus = static_cast<double>(cpus_);
      put("host.load1_per_core", load->load1 / cpus);
      put("host.load5_per_core", load->load5 / cpus);
      put("host.load15_per_core", load->load15 / cpus);
    }
  }

  if ((files & kFileNr) != 0) {
    if (auto nr = procfs::ReadFileNr(proc_, buffer_); !nr) {
      fail({"host.filefd_ratio"}, nr.error().ToString());
    } else if (nr->maximum == 0) {
      fail({"host.filefd_ratio"}, "file-nr: maximum is 0");
    } else {
      put("host.filefd_ratio",
          static_cast<double>(nr->allocated) / static_cast<double>(nr->maximum));
    }
  }
}

void Sampler::Sample() {
  const SteadyTime now = clock_->Now();
  std::map<std::string, Value> values;
  GroupReader reader;
  Reads reads;
  {
    std::lock_guard lock(mutex_);
    reader = group_reader_;
    reads = reads_;
  }
  // The group CPU ratio is per CPU: the count comes from stat.
  SampleProcFiles(values, now, reads.files | (reader ? kStat : 0u));
  SamplePressure(values, now, reads.pressure);
  SampleHost(values, now, reads.host_collectors);

  std::map<std::string, double> group_cpu;
  if (reader) {
    auto groups = reader();
    if (auto* why = std::get_if<std::string>(&groups)) {
      // values_ is written only by this thread, so reading it unlocked is safe.
      for (const auto& [key, value] : values_) {  // every known group value fails
        if (key.rfind("group.", 0) == 0) {
          Put(values, key, "reading process groups: " + *why);
        }
      }
    } else {
      const double elapsed = std::chrono::duration<double>(now - last_time_).count();
      for (const auto& [group, g] : std::get<0>(groups)) {
        // Named apart: clang before 16 cannot capture a structured binding
        // (the fuzz workflow builds the agent with clang 14).
        const std::string& group_name = group;
        auto gput = [&](const char* name, double v) {
          Put(values, std::string(name) + "/" + group_name, health::Sample{v, now});
        };
        gput("group.num_procs", g.num_procs);
        gput("group.memory_rss_bytes", g.memory_rss_bytes);
        gput("group.num_threads", g.num_threads);
        gput("group.open_fds", g.open_fds);
        gput("group.worst_fd_ratio", g.worst_fd_ratio);
        group_cpu[group] = g.cpu_seconds;
        const std::string cpu_key = "group.cpu_ratio/" + group;
        auto last = last_group_cpu_.find(group);
        if (last == last_group_cpu_.end() || elapsed <= 0 || cpus_ == 0) {
          Put(values, cpu_key, std::string("needs two samples"));
        } else {
          // Processes that exit take their CPU time with them: a drop is not
          // negative usage, so it counts as none.
          const double used = std::max(0.0, g.cpu_seconds - last->second);
          Put(values, cpu_key,
              health::Sample{used / elapsed / static_cast<double>(cpus_), now});
        }
      }
    }
  }
  last_group_cpu_ = std::move(group_cpu);
  last_time_ = now;

  std::lock_guard lock(mutex_);
  values_ = std::move(values);
}

std::variant<Sample, std::string> Sampler::Get(const ValueKey& key) const {
  std::lock_guard lock(mutex_);
  if (!key.pattern.empty()) {
    const RE2 re(key.pattern, RE2::Quiet);
    if (!re.ok()) {
      return "invalid regex: " + re.error();
    }
    const std::string prefix = key.value + "/";
    std::optional<health::Sample> worst;
    for (auto it = values_.lower_bound(prefix);
         it != values_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      const std::string instance = it->first.substr(prefix.size());
      if (!collectors::MatchesGo(re, instance)) {
        continue;
      }
      if (auto* why = std::get_if<std::string>(&it->second)) {
        return key.label + " " + instance + ": " + *why;  // unknown is not "fine"
      }
      const health::Sample& s = std::get<health::Sample>(it->second);
      if (!worst || (key.higher_is_worse ? s.value > worst->value : s.value < worst->value)) {
        worst = s;
        worst->instance = instance;
      }
    }
    if (worst) {
      return *worst;
    }
  } else if (auto it = values_.find(Key(key)); it != values_.end()) {
    return it->second;
  }
  if (key.instance.empty() && key.pattern.empty()) {
    return std::string("not sampled yet");
  }
  if (key.label == "group") {
    return "no sample for group " + key.instance + " (no such group, or not sampled yet)";
  }
  // The value failed as a whole (its collector did), or the instance is
  // unknown: say which exist.
  if (auto whole = values_.find(key.value); whole != values_.end()) {
    if (auto* why = std::get_if<std::string>(&whole->second)) {
      return *why;
    }
  }
  std::string known;
  std::size_t count = 0;
  const std::string prefix = key.value + "/";
  for (auto it = values_.lower_bound(prefix);
       it != values_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (++count <= 10) {
      known += (known.empty() ? "" : ", ") + it->first.substr(prefix.size());
    }
  }
  if (count == 0) {
    return "no " + key.label + " sampled yet";
  }
  if (count > 10) {
    known += ", ... (" + std::to_string(count) + " in all)";
  }
  return "no " + key.label + " " +
         (key.pattern.empty() ? "\"" + key.instance + "\"" : "matches " + key.pattern) +
         " (known: " + known + ")";
}

void Sampler::AddSeries(collectors::MetricSink& sink) const {
  std::lock_guard lock(mutex_);
  for (const SampledValue& v : SampledValues()) {
    if (v.metric.labels.empty()) {
      auto it = values_.find(std::string(v.name));
      if (it != values_.end() && it->second.index() == 0) {
        sink.Add(v.metric, std::get<0>(it->second).value);
      }
      continue;
    }
    const std::string prefix = std::string(v.name) + "/";
    for (auto it = values_.lower_bound(prefix);
         it != values_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      if (it->second.index() == 0) {
        sink.Add(v.metric, std::get<0>(it->second).value,
                 {std::string_view(it->first).substr(prefix.size())});
      }
    }
  }
}

}  // namespace vitals::health
