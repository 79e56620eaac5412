// node_exporter's "cpu" collector: node_cpu_seconds_total{cpu,mode} and
// node_cpu_guest_seconds_total{cpu,mode} from the per-CPU lines of /proc/stat;
// with --collector.cpu.info node_cpu_info from /proc/cpuinfo (and the first
// CPU's flags and bugs matching the include regexes); from sysfs the thermal
// throttle counters and the isolated CPUs, where the kernel has them.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/procfs/cpuinfo.h"
#include "collectors/procfs/parse_util.h"
#include "collectors/procfs/stat.h"
#include "collectors/sysfs/cpu.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", MetricType::Counter,
     {"cpu", "mode"}},
    {"node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.",
     MetricType::Counter, {"cpu", "mode"}},
    {"node_cpu_info", "CPU information from /proc/cpuinfo.", MetricType::Gauge,
     {"package", "core", "cpu", "vendor", "family", "model", "model_name", "microcode", "stepping",
      "cachesize"}},
    {"node_cpu_flag_info",
     "The `flags` field of CPU information from /proc/cpuinfo taken from the first core.",
     MetricType::Gauge, {"flag"}},
    {"node_cpu_bug_info",
     "The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.",
     MetricType::Gauge, {"bug"}},
    {"node_cpu_core_throttles_total", "Number of times this CPU core has been throttled.",
     MetricType::Counter, {"package", "core"}},
    {"node_cpu_package_throttles_total", "Number of times this CPU package has been throttled.",
     MetricType::Counter, {"package"}},
    {"node_cpu_isolated",
     "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.",
     MetricType::Gauge, {"cpu"}},
};
enum Desc { kSeconds, kGuest, kInfo, kFlagInfo, kBugInfo, kCoreThrottles, kPackageThrottles, kIsolated };

const FlagSpec kFlags[] = {
    {"collector.cpu.guest", FlagKind::kBool, "true",
     "Enables metric node_cpu_guest_seconds_total"},
    {"collector.cpu.info", FlagKind::kBool, "false", "Enables metric cpu_info"},
    {"collector.cpu.info.flags-include", FlagKind::kRegex, "",
     "Filter the `flags` field in cpuInfo with a value that must be a regular expression"},
    {"collector.cpu.info.bugs-include", FlagKind::kRegex, "",
     "Filter the `bugs` field in cpuInfo with a value that must be a regular expression"},
};

using Mode = procfs::CpuTimes::Mode;
constexpr std::string_view kModeNames[] = {"user", "nice", "system", "idle", "iowait",
                                           "irq", "softirq", "steal", "user", "nice"};
// An idle counter that drops by this much or more is a CPU hotplug (all of the
// CPU's counters restart), not jitter; node_exporter uses the same bound.
constexpr double kJumpBackSeconds = 3.0;

// A regex flag, or null when it is empty (no filter: nothing exported).
std::unique_ptr<RE2> OptionalRegex(const FlagValues& flags, std::string_view name) {
  return flags.String(name).empty() ? nullptr : flags.Regex(name);
}

class CpuCollector : public Collector {
 public:
  explicit CpuCollector(const CollectorContext& ctx)
      : proc_(ctx.proc),
        sys_(ctx.sys),
        guest_(ctx.flags.Bool("collector.cpu.guest")),
        flags_include_(OptionalRegex(ctx.flags, "collector.cpu.info.flags-include")),
        bugs_include_(OptionalRegex(ctx.flags, "collector.cpu.info.bugs-include")),
        // An include regex turns the info on, as in node_exporter.
        info_(ctx.flags.Bool("collector.cpu.info") || flags_include_ || bugs_include_),
        // Read once, as node_exporter does: isolation is set at boot.
        isolated_(sysfs::ReadIsolatedCpus(sys_, buffer_)) {}

  std::string_view name() const override { return "cpu"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    if (info_) {
      if (auto r = CollectInfo(out); !r) {
        return r;
      }
    }
    if (auto r = CollectSeconds(out); !r) {
      return r;
    }
    if (isolated_) {
      for (unsigned cpu : *isolated_) {
        label_ = std::to_string(cpu);
        out.Add(kDescs[kIsolated], 1, {label_});
      }
    } else if (isolated_.error().code != procfs::Errc::kNotFound) {
      return isolated_.error();  // a kernel without the file has no isolated CPUs
    }
    return CollectThrottles(out);
  }

 private:
  procfs::Result<void> CollectInfo(MetricSink& out) {
    auto cpus = procfs::ReadCpuInfo(proc_, buffer_);
    if (!cpus) {
      return cpus.error();
    }
    for (const procfs::CpuInfo& cpu : *cpus) {
      out.Add(kDescs[kInfo], 1,
              {cpu.physical_id, cpu.core_id, cpu.processor, cpu.vendor_id, cpu.cpu_family,
               cpu.model, cpu.model_name, cpu.microcode, cpu.stepping, cpu.cache_size});
    }
    // The flags and bugs of the first CPU, filtered (none without a regex).
    auto add_matching = [&](std::string_view list, const RE2* filter, const MetricDesc& desc) {
      procfs::detail::Fields words(list);
      while (auto word = filter ? words.Next() : std::nullopt) {
        if (MatchesGo(*filter, *word)) {
          out.Add(desc, 1, {*word});
        }
      }
    };
    add_matching(cpus->front().flags, flags_include_.get(), kDescs[kFlagInfo]);
    add_matching(cpus->front().bugs, bugs_include_.get(), kDescs[kBugInfo]);
    return {};
  }

  procfs::Result<void> CollectSeconds(MetricSink& out) {
    auto stat = procfs::ReadStat(proc_, buffer_);
    if (!stat) {
      return stat.error();
    }
    const double ticks = static_cast<double>(proc_.system().ticks_per_second);
    for (const procfs::CpuTimes& cpu : stat->cpus) {
      auto index = static_cast<std::size_t>(cpu.cpu);
      if (index >= last_.size()) {
        last_.resize(index + 1, {});
        last_[index].fill(-1);
      }
      while (cpu_labels_.size() <= index) {
        cpu_labels_.push_back(std::to_string(cpu_labels_.size()));
      }
      auto& last_seen = last_[index];
      if (cpu.columns > Mode::kIdle) {
        double idle = static_cast<double>(cpu.ticks[Mode::kIdle]) / ticks;
        if (last_seen[Mode::kIdle] - idle >= kJumpBackSeconds) {
          last_seen.fill(-1);  // hotplug: start over from the new values
        }
      }
      for (int m = 0; m < cpu.columns; ++m) {
        auto mode = static_cast<std::size_t>(m);
        double seconds = static_cast<double>(cpu.ticks[mode]) / ticks;
        double& last = last_seen[mode];
        // A counter must not go backwards: hold the last value (a kernel may
        // let idle or iowait slip back by a tick).
        if (seconds < last) {
          seconds = last;
        }
        last = seconds;
        const bool guest = m == Mode::kGuest || m == Mode::kGuestNice;
        if (guest && !guest_) {
          continue;
        }
        out.Add(kDescs[guest ? kGuest : kSeconds], seconds, {cpu_labels_[index], kModeNames[mode]});
      }
    }
    return {};
  }

  procfs::Result<void> CollectThrottles(MetricSink& out) {
    auto throttles = sysfs::ReadCpuThrottles(sys_, buffer_);
    if (!throttles) {
      return throttles.error();
    }
    for (const auto& [package, count] : throttles->package) {
      label_ = std::to_string(package);
      out.Add(kDescs[kPackageThrottles], static_cast<double>(count), {label_});
    }
    for (const auto& [key, count] : throttles->core) {
      label_ = std::to_string(key.first);
      std::string core = std::to_string(key.second);
      out.Add(kDescs[kCoreThrottles], static_cast<double>(count), {label_, core});
    }
    return {};
  }

  const procfs::ProcFs& proc_;
  const procfs::RootDir& sys_;
  const bool guest_;
  const std::unique_ptr<RE2> flags_include_;
  const std::unique_ptr<RE2> bugs_include_;
  const bool info_;
  std::string buffer_;
  const procfs::Result<std::vector<unsigned>> isolated_;
  std::string label_;
  // Last exported seconds per CPU and mode (-1: none yet): some kernels let
  // idle/iowait run backwards by a tick; a counter must not, so a drop is held,
  // unless idle drops by 3 s or more, which is a hotplug that resets the CPU
  // (node_exporter does the same).
  std::vector<std::array<double, procfs::CpuTimes::kModes>> last_;
  std::vector<std::string> cpu_labels_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(cpu,
                          "Seconds the CPUs spent in each mode (/proc/stat), CPU information "
                          "(/proc/cpuinfo), thermal throttles and isolated CPUs (sysfs)",
                          kEnabled, kFlags, CpuCollector);

}  // namespace vitals::collectors
