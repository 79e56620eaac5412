// node_exporter's "softnet" collector: per CPU, packets processed and
// dropped by the network receive softirq and the times it ran out of quota,
// from /proc/net/softnet_stat.

#include "collectors/collector_registry.h"
#include "collectors/procfs/net_softnet.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_softnet_processed_total", "Number of processed packets", MetricType::Counter, {"cpu"}},
    {"node_softnet_dropped_total", "Number of dropped packets", MetricType::Counter, {"cpu"}},
    {"node_softnet_times_squeezed_total", "Number of times processing packets ran out of quota",
     MetricType::Counter, {"cpu"}},
};

class SoftnetCollector : public Collector {
 public:
  explicit SoftnetCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "softnet"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto cpus = procfs::ReadSoftnet(proc_, buffer_);
    if (!cpus) {
      return cpus.error();
    }
    // "cpu" is the line's position, as node_exporter numbers it (the file
    // has a line per online CPU only).
    for (std::size_t i = 0; i < cpus->size(); ++i) {
      while (labels_.size() <= i) {
        labels_.push_back(std::to_string(labels_.size()));
      }
      const procfs::SoftnetCpu& cpu = (*cpus)[i];
      out.Add(kDescs[0], cpu.processed, {labels_[i]});
      out.Add(kDescs[1], cpu.dropped, {labels_[i]});
      out.Add(kDescs[2], cpu.time_squeezed, {labels_[i]});
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
  std::vector<std::string> labels_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(softnet, "Network receive softirq statistics, from /proc/net/softnet_stat",
                          kEnabled, {}, SoftnetCollector);

}  // namespace vitals::collectors
