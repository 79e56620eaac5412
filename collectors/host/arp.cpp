// node_exporter's "arp" collector: node_arp_entries{device}, the entries of
// the IPv4 neighbour table (/proc/net/arp) per device.

#include <string>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/device_filter.h"
#include "collectors/procfs/net_arp.h"

namespace vitals::collectors {

namespace {

const FlagSpec kFlags[] = {
    {"collector.arp.device-include", FlagKind::kRegex, "",
     "Regexp of arp devices to include (mutually exclusive to device-exclude)."},
    {"collector.arp.device-exclude", FlagKind::kRegex, "",
     "Regexp of arp devices to exclude (mutually exclusive to device-include)."},
};

const MetricDesc kDescs[] = {
    {"node_arp_entries", "ARP entries by device", prometheus::MetricType::Gauge, {"device"}},
};

class ArpCollector : public Collector {
 public:
  // node_exporter applies both filters when both are given.
  explicit ArpCollector(const CollectorContext& ctx)
      : proc_(ctx.proc),
        filter_(ctx.flags, "collector.arp.device-exclude", "collector.arp.device-include") {}
  std::string_view name() const override { return "arp"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    if (auto read = procfs::ReadArp(proc_, buffer_, devices_); !read) {
      return read;
    }
    for (const procfs::ArpDevice& device : devices_) {
      if (!filter_.Ignored(device.device)) {
        out.Add(kDescs[0], device.entries, {device.device});
      }
    }
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  const DeviceFilter filter_;
  std::string buffer_;
  std::vector<procfs::ArpDevice> devices_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(arp, "ARP entries per device, from /proc/net/arp", kEnabled, kFlags,
                          ArpCollector);

}  // namespace vitals::collectors
