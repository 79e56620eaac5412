// node_exporter's "udp_queues" collector: bytes queued in UDP sockets' send
// and receive buffers, summed over /proc/net/udp and /proc/net/udp6.

#include "collectors/collector_registry.h"
#include "collectors/procfs/net_udp.h"

namespace vitals::collectors {

namespace {

const MetricDesc kDescs[] = {
    {"node_udp_queues", "Number of allocated memory in the kernel for UDP datagrams in bytes.",
     prometheus::MetricType::Gauge, {"queue", "ip"}},
};

class UdpQueuesCollector : public Collector {
 public:
  explicit UdpQueuesCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "udp_queues"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    struct Family { std::string_view path, ip; };
    int absent = 0;
    for (Family family : {Family{"net/udp", "v4"}, Family{"net/udp6", "v6"}}) {
      auto queues = procfs::ReadUdpQueues(proc_, family.path, buffer_);
      if (!queues) {
        if (queues.error().code != procfs::Errc::kNotFound) {
          return queues.error();
        }
        ++absent;  // this IP version is not built in: skipped, as node_exporter does
        continue;
      }
      out.Add(kDescs[0], static_cast<double>(queues->tx_bytes), {"tx", family.ip});
      out.Add(kDescs[0], static_cast<double>(queues->rx_bytes), {"rx", family.ip});
    }
    if (absent == 2) {
      return NoData("net/udp", "neither net/udp nor net/udp6 exists");
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(udp_queues, "UDP send and receive queues, from /proc/net/udp{,6}",
                          kEnabled, {}, UdpQueuesCollector);

}  // namespace vitals::collectors
