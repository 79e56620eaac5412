// node_exporter's "fibrechannel" collector: per Fibre Channel host adapter
// its attributes (node_fibrechannel_info) and statistics counters
// (/sys/class/fc_host/<host>). Without such adapters "no data", as
// node_exporter. A counter the adapter does not implement reads
// 0xffffffffffffffff and is left out, as node_exporter leaves it out; one
// whose file is absent or unreadable now is left out too (node_exporter
// reports 0 for it).

#include <string>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/fibre_channel.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;

#define VITALS_FC(name, help) {"node_fibrechannel_" name, help, MetricType::Counter, {"fc_host"}}
// In sysfs::kFibreChannelCounters' order.
const MetricDesc kCounterDescs[] = {
    VITALS_FC("dumped_frames_total", "Number of dumped frames"),
    VITALS_FC("error_frames_total", "Number of errors in frames"),
    VITALS_FC("invalid_crc_total", "Invalid Cyclic Redundancy Check count"),
    VITALS_FC("rx_frames_total", "Number of frames received"),
    VITALS_FC("rx_words_total", "Number of words received by host port"),
    VITALS_FC("tx_frames_total", "Number of frames transmitted by host port"),
    VITALS_FC("tx_words_total", "Number of words transmitted by host port"),
    VITALS_FC("seconds_since_last_reset_total", "Number of seconds since last host port reset"),
    VITALS_FC("invalid_tx_words_total", "Number of invalid words transmitted by host port"),
    VITALS_FC("link_failure_total", "Number of times the host port link has failed"),
    VITALS_FC("loss_of_sync_total", "Number of failures on either bit or transmission word boundaries"),
    VITALS_FC("loss_of_signal_total", "Number of times signal has been lost"),
    VITALS_FC("nos_total", "Number Not_Operational Primitive Sequence received by host port"),
    VITALS_FC("fcp_packet_aborts_total", "Number of aborted packets"),
};
#undef VITALS_FC
static_assert(std::size(kCounterDescs) == sysfs::kFibreChannelCounterCount);

const MetricDesc kInfo = {
    "node_fibrechannel_info", "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.",
    MetricType::Gauge,
    {"fc_host", "speed", "port_state", "port_type", "port_id", "port_name", "fabric_name", "symbolic_name",
     "supported_classes", "supported_speeds", "dev_loss_tmo"}};

std::vector<MetricDesc> AllDescs() {
  std::vector<MetricDesc> all = {kInfo};
  all.insert(all.end(), std::begin(kCounterDescs), std::end(kCounterDescs));
  return all;
}

// What the HBA firmware reports for a counter it does not implement.
constexpr std::uint64_t kUnimplemented = ~std::uint64_t{0};

class FibrechannelCollector : public Collector {
 public:
  explicit FibrechannelCollector(const CollectorContext& ctx) : sys_(ctx.sys), descs_(AllDescs()) {}
  std::string_view name() const override { return "fibrechannel"; }
  std::span<const MetricDesc> Describe() const override { return descs_; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto hosts = sysfs::ReadFibreChannel(sys_, buffer_);
    if (!hosts) {
      return NoDataIfAbsent(hosts.error(), "fibrechannel statistics not found");
    }
    for (const sysfs::FibreChannelHost& host : *hosts) {
      const auto& a = host.attributes;
      out.Add(kInfo, 1,
              {host.name, a[sysfs::kFcSpeed], a[sysfs::kFcPortState], a[sysfs::kFcPortType],
               a[sysfs::kFcPortId], a[sysfs::kFcPortName], a[sysfs::kFcFabricName],
               a[sysfs::kFcSymbolicName], a[sysfs::kFcSupportedClasses], a[sysfs::kFcSupportedSpeeds],
               a[sysfs::kFcDevLossTmo]});
      for (std::size_t i = 0; i < sysfs::kFibreChannelCounterCount; ++i) {
        if (host.counters[i] && *host.counters[i] != kUnimplemented) {
          out.Add(kCounterDescs[i], static_cast<double>(*host.counters[i]), {host.name});
        }
      }
    }
    return {};
  }

 private:
  const procfs::RootDir& sys_;
  const std::vector<MetricDesc> descs_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(fibrechannel, "Fibre Channel host adapters' state and counters, from /sys/class/fc_host",
                          kEnabled, {}, FibrechannelCollector);

}  // namespace vitals::collectors
