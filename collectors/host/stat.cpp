// node_exporter's "stat" collector: boot time, context switches, forks,
// interrupts, running/blocked processes and, with --collector.stat.softirq,
// softirqs per vector, from /proc/stat.

#include "collectors/collector_registry.h"
#include "collectors/procfs/stat.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_boot_time_seconds", "Node boot time, in unixtime.", MetricType::Gauge, {}},
    {"node_context_switches_total", "Total number of context switches.", MetricType::Counter, {}},
    {"node_forks_total", "Total number of forks.", MetricType::Counter, {}},
    {"node_intr_total", "Total number of interrupts serviced.", MetricType::Counter, {}},
    {"node_procs_blocked", "Number of processes blocked waiting for I/O to complete.",
     MetricType::Gauge, {}},
    {"node_procs_running", "Number of processes in runnable state.", MetricType::Gauge, {}},
    {"node_softirqs_total", "Number of softirq calls.", MetricType::Counter, {"vector"}},
};
const MetricDesc& kSoftirqs = kDescs[6];
// node_exporter's names of the softirq line's vectors, in the kernel's order.
constexpr std::string_view kVectors[procfs::Stat::kSoftirqVectors] = {
    "hi", "timer", "net_tx", "net_rx", "block", "block_iopoll", "tasklet", "sched", "hrtimer", "rcu"};

const FlagSpec kFlags[] = {
    {"collector.stat.softirq", FlagKind::kBool, "false", "Export softirq calls per vector"},
};

class StatCollector : public Collector {
 public:
  explicit StatCollector(const CollectorContext& ctx)
      : proc_(ctx.proc), softirq_(ctx.flags.Bool("collector.stat.softirq")) {}
  std::string_view name() const override { return "stat"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto stat = procfs::ReadStat(proc_, buffer_);
    if (!stat) {
      return stat.error();
    }
    const std::uint64_t values[] = {stat->boot_time, stat->context_switches, stat->forks,
                                    stat->interrupts, stat->procs_blocked, stat->procs_running};
    for (std::size_t i = 0; i < std::size(values); ++i) {
      out.Add(kDescs[i], static_cast<double>(values[i]));
    }
    if (softirq_ && stat->has_softirq) {
      for (std::size_t i = 0; i < std::size(kVectors); ++i) {
        out.Add(kSoftirqs, static_cast<double>(stat->softirq[i]), {kVectors[i]});
      }
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  const bool softirq_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(
    stat, "Boot time, context switches, forks, interrupts and softirqs, from /proc/stat", kEnabled,
    kFlags, StatCollector);

}  // namespace vitals::collectors
