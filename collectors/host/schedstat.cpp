// node_exporter's "schedstat" collector: per CPU, the time spent running
// tasks and tasks spent waiting to run, and the timeslices run, from
// /proc/schedstat (kernels with CONFIG_SCHEDSTATS).

#include "collectors/collector_registry.h"
#include "collectors/procfs/schedstat.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_schedstat_running_seconds_total", "Number of seconds CPU spent running a process.",
     MetricType::Counter, {"cpu"}},
    {"node_schedstat_waiting_seconds_total",
     "Number of seconds spent by processing waiting for this CPU.", MetricType::Counter, {"cpu"}},
    {"node_schedstat_timeslices_total", "Number of timeslices executed by CPU.",
     MetricType::Counter, {"cpu"}},
};

class SchedstatCollector : public Collector {
 public:
  explicit SchedstatCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "schedstat"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto cpus = procfs::ReadSchedstat(proc_, buffer_);
    if (!cpus) {
      return NoDataIfAbsent(cpus.error(), "the kernel has no /proc/schedstat (CONFIG_SCHEDSTATS)");
    }
    for (const procfs::SchedstatCpu& cpu : *cpus) {
      out.Add(kDescs[0], static_cast<double>(cpu.running_ns) / 1e9, {cpu.cpu});
      out.Add(kDescs[1], static_cast<double>(cpu.waiting_ns) / 1e9, {cpu.cpu});
      out.Add(kDescs[2], static_cast<double>(cpu.timeslices), {cpu.cpu});
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(schedstat, "Scheduler statistics per CPU, from /proc/schedstat",
                          kEnabled, {}, SchedstatCollector);

}  // namespace vitals::collectors
