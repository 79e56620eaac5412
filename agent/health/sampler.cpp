#include "agent/health/sampler.h"

#include <algorithm>

#include "collectors/procfs/file_nr.h"
#include "collectors/procfs/loadavg.h"
#include "collectors/procfs/meminfo.h"
#include "collectors/procfs/stat.h"

namespace vitals::health {

namespace {

std::string Key(const ValueKey& key) {
  return key.group.empty() ? key.value : key.value + "/" + key.group;
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

void Sampler::Put(std::map<std::string, Value>& values, const std::string& key,
                  Value value) const {
  values.insert_or_assign(key, std::move(value));
}

void Sampler::Sample() {
  const SteadyTime now = clock_->Now();
  std::map<std::string, Value> values;
  auto put = [&](const char* key, double v) { Put(values, key, health::Sample{v, now}); };
  auto fail = [&](std::initializer_list<const char*> keys, const std::string& why) {
    for (const char* key : keys) {
      Put(values, key, why);
    }
  };

  // /proc/stat: CPU busy ratio between two samples, and the CPU count.
  if (auto stat = procfs::ReadStat(proc_, buffer_); !stat) {
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
      put("host.swap_used_ratio", *swap_total > 0 ? (*swap_total - *swap_free) / *swap_total : 0);
    }
  }

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

  if (auto nr = procfs::ReadFileNr(proc_, buffer_); !nr) {
    fail({"host.filefd_ratio"}, nr.error().ToString());
  } else if (nr->maximum == 0) {
    fail({"host.filefd_ratio"}, "file-nr: maximum is 0");
  } else {
    put("host.filefd_ratio",
        static_cast<double>(nr->allocated) / static_cast<double>(nr->maximum));
  }

  GroupReader reader;
  {
    std::lock_guard lock(mutex_);
    reader = group_reader_;
  }
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
  auto it = values_.find(Key(key));
  if (it == values_.end()) {
    if (!key.group.empty()) {
      return "no sample for group " + key.group + " (no such group, or not sampled yet)";
    }
    return std::string("not sampled yet");
  }
  return it->second;
}

void Sampler::AddSeries(collectors::MetricSink& sink) const {
  std::lock_guard lock(mutex_);
  for (const SampledValue& v : SampledValues()) {
    if (!v.per_group) {
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
