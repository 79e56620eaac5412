// node_exporter's "cpufreq" collector: each CPU's current, minimum and
// maximum frequency, as the hardware reports it (cpuinfo_*) and as the
// governor sets it (scaling_*), from <sysfs>/devices/system/cpu/cpu<N>/cpufreq.

#include <optional>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/cpufreq.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_cpu_frequency_hertz", "Current cpu thread frequency in hertz.", MetricType::Gauge,
     {"cpu"}},
    {"node_cpu_frequency_min_hertz", "Minimum cpu thread frequency in hertz.", MetricType::Gauge,
     {"cpu"}},
    {"node_cpu_frequency_max_hertz", "Maximum cpu thread frequency in hertz.", MetricType::Gauge,
     {"cpu"}},
    {"node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz.",
     MetricType::Gauge, {"cpu"}},
    {"node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz.",
     MetricType::Gauge, {"cpu"}},
    {"node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz.",
     MetricType::Gauge, {"cpu"}},
};

class CpufreqCollector : public Collector {
 public:
  explicit CpufreqCollector(const CollectorContext& ctx) : sys_(ctx.sys) {}
  std::string_view name() const override { return "cpufreq"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto cpus = sysfs::ReadCpufreq(sys_, buffer_);
    if (!cpus) {
      return cpus.error();
    }
    for (const sysfs::Cpufreq& cpu : *cpus) {
      const std::optional<std::uint64_t>* khz[] = {&cpu.cpuinfo_cur, &cpu.cpuinfo_min,
                                                   &cpu.cpuinfo_max, &cpu.scaling_cur,
                                                   &cpu.scaling_min, &cpu.scaling_max};
      for (std::size_t i = 0; i < std::size(kDescs); ++i) {
        if (*khz[i]) {
          out.Add(kDescs[i], static_cast<double>(**khz[i]) * 1000.0, {cpu.cpu});  // kHz
        }
      }
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(cpufreq, "CPU frequencies, from /sys/devices/system/cpu/cpu*/cpufreq",
                          kEnabled, {}, CpufreqCollector);

}  // namespace vitals::collectors
