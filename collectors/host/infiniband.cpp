// node_exporter's "infiniband" collector: per InfiniBand device its
// identity (node_infiniband_info) and per port its state, rate and PMA
// counters (/sys/class/infiniband). Without InfiniBand hardware (no
// class/infiniband) "no data", as node_exporter.

#include <string>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/infiniband.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;

#define VITALS_IB(name, help, type) \
  {"node_infiniband_" name, help, MetricType::type, {"device", "port"}}
const MetricDesc kPortDescs[] = {
    VITALS_IB("state_id",
              "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)",
              Gauge),
    VITALS_IB("physical_state_id",
              "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: "
              "shift, 5: link up, 6: link error recover, 7: phytest)",
              Gauge),
    VITALS_IB("rate_bytes_per_second", "Maximum signal transfer rate", Gauge),
};
// In sysfs::kInfiniBandCounters' order.
const MetricDesc kCounterDescs[] = {
    VITALS_IB("legacy_multicast_packets_received_total", "Number of multicast packets received", Counter),
    VITALS_IB("legacy_multicast_packets_transmitted_total", "Number of multicast packets transmitted", Counter),
    VITALS_IB("legacy_data_received_bytes_total", "Number of data octets received on all links", Counter),
    VITALS_IB("legacy_packets_received_total", "Number of data packets received on all links", Counter),
    VITALS_IB("legacy_unicast_packets_received_total", "Number of unicast packets received", Counter),
    VITALS_IB("legacy_unicast_packets_transmitted_total", "Number of unicast packets transmitted", Counter),
    VITALS_IB("legacy_data_transmitted_bytes_total", "Number of data octets transmitted on all links", Counter),
    // (sic: node_exporter's help says "received")
    VITALS_IB("legacy_packets_transmitted_total", "Number of data packets received on all links", Counter),
    VITALS_IB("excessive_buffer_overrun_errors_total",
              "Number of times that OverrunErrors consecutive flow control update periods occurred, each "
              "having at least one overrun error.",
              Counter),
    VITALS_IB("link_downed_total",
              "Number of times the link failed to recover from an error state and went down", Counter),
    VITALS_IB("link_error_recovery_total",
              "Number of times the link successfully recovered from an error state", Counter),
    VITALS_IB("local_link_integrity_errors_total",
              "Number of times that the count of local physical errors exceeded the threshold specified by "
              "LocalPhyErrors.",
              Counter),
    VITALS_IB("multicast_packets_received_total", "Number of multicast packets received (including errors)",
              Counter),
    VITALS_IB("multicast_packets_transmitted_total",
              "Number of multicast packets transmitted (including errors)", Counter),
    VITALS_IB("port_constraint_errors_received_total",
              "Number of packets received on the switch physical port that are discarded", Counter),
    VITALS_IB("port_constraint_errors_transmitted_total",
              "Number of packets not transmitted from the switch physical port", Counter),
    VITALS_IB("port_data_received_bytes_total", "Number of data octets received on all links", Counter),
    VITALS_IB("port_data_transmitted_bytes_total", "Number of data octets transmitted on all links", Counter),
    VITALS_IB("port_discards_received_total",
              "Number of inbound packets discarded by the port because the port is down or congested", Counter),
    VITALS_IB("port_discards_transmitted_total",
              "Number of outbound packets discarded by the port because the port is down or congested", Counter),
    VITALS_IB("port_errors_received_total",
              "Number of packets containing an error that were received on this port", Counter),
    VITALS_IB("port_packets_received_total",
              "Number of packets received on all VLs by this port (including errors)", Counter),
    VITALS_IB("port_packets_transmitted_total",
              "Number of packets transmitted on all VLs from this port (including errors)", Counter),
    VITALS_IB("port_transmit_wait_total",
              "Number of ticks during which the port had data to transmit but no data was sent during the "
              "entire tick",
              Counter),
    VITALS_IB("unicast_packets_received_total", "Number of unicast packets received (including errors)",
              Counter),
    VITALS_IB("unicast_packets_transmitted_total", "Number of unicast packets transmitted (including errors)",
              Counter),
    VITALS_IB("port_receive_remote_physical_errors_total",
              "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port.",
              Counter),
    VITALS_IB("port_receive_switch_relay_errors_total",
              "Number of packets that could not be forwarded by the switch.", Counter),
    VITALS_IB("symbol_error_total", "Number of minor link errors detected on one or more physical lanes.",
              Counter),
    VITALS_IB("vl15_dropped_total", "Number of incoming VL15 packets dropped due to resource limitations.",
              Counter),
};
#undef VITALS_IB
static_assert(std::size(kCounterDescs) == sysfs::kInfiniBandCounterCount);

const MetricDesc kInfo = {"node_infiniband_info",
                          "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.",
                          MetricType::Gauge, {"device", "board_id", "firmware_version", "hca_type"}};

std::vector<MetricDesc> AllDescs() {
  std::vector<MetricDesc> all = {kInfo};
  all.insert(all.end(), std::begin(kPortDescs), std::end(kPortDescs));
  all.insert(all.end(), std::begin(kCounterDescs), std::end(kCounterDescs));
  return all;
}

class InfinibandCollector : public Collector {
 public:
  explicit InfinibandCollector(const CollectorContext& ctx) : sys_(ctx.sys), descs_(AllDescs()) {}
  std::string_view name() const override { return "infiniband"; }
  std::span<const MetricDesc> Describe() const override { return descs_; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto devices = sysfs::ReadInfiniBand(sys_, buffer_);
    if (!devices) {
      return NoDataIfAbsent(devices.error(), "infiniband statistics not found");
    }
    for (const sysfs::InfiniBandDevice& device : *devices) {
      out.Add(kInfo, 1, {device.name, device.board_id, device.firmware_version, device.hca_type});
      for (const sysfs::InfiniBandPort& port : device.ports) {
        const std::string number = std::to_string(port.number);
        out.Add(kPortDescs[0], port.state_id, {device.name, number});
        out.Add(kPortDescs[1], port.phys_state_id, {device.name, number});
        out.Add(kPortDescs[2], static_cast<double>(port.rate), {device.name, number});
        for (std::size_t i = 0; i < sysfs::kInfiniBandCounterCount; ++i) {
          if (port.counters[i]) {
            out.Add(kCounterDescs[i], static_cast<double>(*port.counters[i]), {device.name, number});
          }
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

VITALS_REGISTER_COLLECTOR(infiniband, "InfiniBand ports' state and counters, from /sys/class/infiniband",
                          kEnabled, {}, InfinibandCollector);

}  // namespace vitals::collectors
