// node_exporter's "loadavg" collector: node_load1, node_load5, node_load15
// from /proc/loadavg.

#include "collectors/collector_registry.h"
#include "collectors/procfs/loadavg.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_load1", "1m load average.", MetricType::Gauge, {}},
    {"node_load5", "5m load average.", MetricType::Gauge, {}},
    {"node_load15", "15m load average.", MetricType::Gauge, {}},
};

class LoadavgCollector : public Collector {
 public:
  explicit LoadavgCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "loadavg"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto load = procfs::ReadLoadavg(proc_, buffer_);
    if (!load) {
      return load.error();
    }
    out.Add(kDescs[0], load->load1);
    out.Add(kDescs[1], load->load5);
    out.Add(kDescs[2], load->load15);
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(loadavg, "Load averages, from /proc/loadavg", kEnabled, {},
                          LoadavgCollector);

}  // namespace vitals::collectors
