#include "collectors/host/loadavg_collector.h"

#include "collectors/procfs/loadavg.h"

namespace vitals::collectors {

namespace {
using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_load1", "1m load average.", MetricType::Gauge, {}},
    {"node_load5", "5m load average.", MetricType::Gauge, {}},
    {"node_load15", "15m load average.", MetricType::Gauge, {}},
};
}  // namespace

std::span<const MetricDesc> LoadavgCollector::Describe() const { return kDescs; }

procfs::Result<void> LoadavgCollector::Collect(MetricSink& out) {
  auto load = procfs::ReadLoadavg(proc_, buffer_);
  if (!load) {
    return load.error();
  }
  out.Add(kDescs[0], load->load1);
  out.Add(kDescs[1], load->load5);
  out.Add(kDescs[2], load->load15);
  return {};
}

}  // namespace vitals::collectors
