// node_exporter's "netclass" collector: each network device's sysfs
// attributes (/sys/class/net/<iface>): node_network_up, node_network_info
// and one family per integer attribute, devices matching
// --collector.netclass.ignored-devices left out.

#include <memory>
#include <string>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/net_class.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
using sysfs::NetClassIface;

const FlagSpec kFlags[] = {
    {"collector.netclass.ignored-devices", FlagKind::kRegex, "^$",
     "Regexp of net devices to ignore for netclass collector."},
    {"collector.netclass.ignore-invalid-speed", FlagKind::kBool, "false",
     "Ignore devices where the speed is invalid. This will be the default behavior in 2.x."},
};

#define VITALS_NETCLASS_PROPERTY(name, type) \
  {"node_network_" name, "Network device property: " name, MetricType::type, {"device"}}
// The integer attributes' families, in sysfs::NetClassNumber's order.
const MetricDesc kNumberDescs[] = {
    VITALS_NETCLASS_PROPERTY("address_assign_type", Gauge),
    VITALS_NETCLASS_PROPERTY("carrier", Gauge),
    VITALS_NETCLASS_PROPERTY("carrier_changes_total", Counter),
    VITALS_NETCLASS_PROPERTY("carrier_up_changes_total", Counter),
    VITALS_NETCLASS_PROPERTY("carrier_down_changes_total", Counter),
    VITALS_NETCLASS_PROPERTY("device_id", Gauge),
    VITALS_NETCLASS_PROPERTY("dormant", Gauge),
    VITALS_NETCLASS_PROPERTY("flags", Gauge),
    VITALS_NETCLASS_PROPERTY("iface_id", Gauge),
    VITALS_NETCLASS_PROPERTY("iface_link", Gauge),
    VITALS_NETCLASS_PROPERTY("iface_link_mode", Gauge),
    VITALS_NETCLASS_PROPERTY("mtu_bytes", Gauge),
    VITALS_NETCLASS_PROPERTY("name_assign_type", Gauge),
    VITALS_NETCLASS_PROPERTY("net_dev_group", Gauge),
    VITALS_NETCLASS_PROPERTY("speed_bytes", Gauge),
    VITALS_NETCLASS_PROPERTY("transmit_queue_length", Gauge),
    VITALS_NETCLASS_PROPERTY("protocol_type", Gauge),
};
#undef VITALS_NETCLASS_PROPERTY
static_assert(std::size(kNumberDescs) == sysfs::kNetClassNumberCount);

const MetricDesc kDescs[] = {
    {"node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", MetricType::Gauge,
     {"device"}},
    {"node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
     MetricType::Gauge, {"device", "address", "broadcast", "duplex", "operstate", "ifalias"}},
};

// Describe() lists both tables.
std::vector<MetricDesc> AllDescs() {
  std::vector<MetricDesc> all(std::begin(kDescs), std::end(kDescs));
  all.insert(all.end(), std::begin(kNumberDescs), std::end(kNumberDescs));
  return all;
}

class NetclassCollector : public Collector {
 public:
  explicit NetclassCollector(const CollectorContext& ctx)
      : sys_(ctx.sys),
        ignored_(ctx.flags.Regex("collector.netclass.ignored-devices")),
        ignore_invalid_speed_(ctx.flags.Bool("collector.netclass.ignore-invalid-speed")),
        descs_(AllDescs()) {}
  std::string_view name() const override { return "netclass"; }
  std::span<const MetricDesc> Describe() const override { return descs_; }

  procfs::Result<void> Collect(MetricSink& out) override {
    // Every device is read before any sample is made: node_exporter reports
    // nothing when one cannot be read.
    auto devices = sysfs::ReadNetClassDevices(sys_);
    if (!devices) {
      return NoDataIfAbsentOrDenied(devices.error(), "could not list the network devices");
    }
    std::size_t used = 0;
    for (const std::string& device : *devices) {
      if (MatchesGo(*ignored_, device)) {
        continue;
      }
      if (used == ifaces_.size()) {
        ifaces_.emplace_back();
      }
      auto read = sysfs::ReadNetClassIface(sys_, device, buffer_, ifaces_[used]);
      if (!read) {
        return NoDataIfAbsentOrDenied(read.error(), "could not read a network device");
      }
      used += *read ? 1 : 0;  // not a device, or gone since the listing
    }
    for (std::size_t i = 0; i < used; ++i) {
      Emit(ifaces_[i], out);
    }
    return {};
  }

 private:
  void Emit(const NetClassIface& iface, MetricSink& out) const {
    const std::string_view device = iface.name;
    out.Add(kDescs[0], iface.operstate == "up" ? 1 : 0, {device});
    out.Add(kDescs[1], 1,
            {device, iface.address, iface.broadcast, iface.duplex, iface.operstate, iface.ifalias});
    for (std::size_t i = 0; i < sysfs::kNetClassNumberCount; ++i) {
      if (!iface.numbers[i]) {
        continue;
      }
      std::int64_t value = *iface.numbers[i];
      if (i == sysfs::kSpeed) {
        // Mbit/s to bytes/s as node_exporter computes it, in int64 (wrapping
        // like Go's); some drivers say -1 for "unknown".
        if (value < 0 && ignore_invalid_speed_) {
          continue;
        }
        value = static_cast<std::int64_t>(static_cast<std::uint64_t>(value) * 1000000u) / 8;
      }
      out.Add(kNumberDescs[i], static_cast<double>(value), {device});
    }
  }

  const procfs::RootDir& sys_;
  const std::unique_ptr<RE2> ignored_;
  const bool ignore_invalid_speed_;
  const std::vector<MetricDesc> descs_;
  std::string buffer_;
  std::vector<NetClassIface> ifaces_;  // reused: their strings keep their storage
};

}  // namespace

VITALS_REGISTER_COLLECTOR(netclass, "Network device attributes, from /sys/class/net", kEnabled,
                          kFlags, NetclassCollector);

}  // namespace vitals::collectors
