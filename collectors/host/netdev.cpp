// node_exporter's "netdev" collector: each network device's counters as
// node_network_<key>_total{device}, from an rtnetlink dump (the default,
// --collector.netdev.netlink) or /proc/net/dev; the keys are /proc/net/dev's
// ("receive_drop", "transmit_colls", ...) unless
// --collector.netdev.enable-detailed-metrics asks for the kernel's own
// counters; with --collector.netdev.address-info, node_network_address_info
// for every address of every device.

#include <algorithm>
#include <array>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/device_filter.h"
#include "collectors/procfs/ip_address.h"
#include "collectors/procfs/net_dev.h"
#include "collectors/procfs/rtnetlink.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
using procfs::LinkStat;

// Debian's node_exporter 1.5.0 leaves the loopback device out by default
// (upstream's default is no exclusion).
const FlagSpec kFlags[] = {
    {"collector.netdev.device-include", FlagKind::kRegex, "",
     "Regexp of net devices to include (mutually exclusive to device-exclude)."},
    {"collector.netdev.device-exclude", FlagKind::kRegex, "^lo$",
     "Regexp of net devices to exclude (mutually exclusive to device-include)."},
    {"collector.netdev.address-info", FlagKind::kBool, "false",
     "Collect address-info for every device"},
    {"collector.netdev.enable-detailed-metrics", FlagKind::kBool, "false",
     "Use (incompatible) metric names that provide more detailed stats on Linux"},
    {"collector.netdev.netlink", FlagKind::kBool, "true",
     "Use netlink to gather stats instead of /proc/net/dev."},
};

#define VITALS_NETDEV_STAT(key) \
  {"node_network_" key "_total", "Network device statistic " key ".", MetricType::Counter, {"device"}}
const MetricDesc kDescs[] = {
    // /proc/net/dev's keys (the default)
    VITALS_NETDEV_STAT("receive_bytes"), VITALS_NETDEV_STAT("receive_packets"),
    VITALS_NETDEV_STAT("receive_errs"), VITALS_NETDEV_STAT("receive_drop"),
    VITALS_NETDEV_STAT("receive_fifo"), VITALS_NETDEV_STAT("receive_frame"),
    VITALS_NETDEV_STAT("receive_compressed"), VITALS_NETDEV_STAT("receive_multicast"),
    VITALS_NETDEV_STAT("receive_nohandler"), VITALS_NETDEV_STAT("transmit_bytes"),
    VITALS_NETDEV_STAT("transmit_packets"), VITALS_NETDEV_STAT("transmit_errs"),
    VITALS_NETDEV_STAT("transmit_drop"), VITALS_NETDEV_STAT("transmit_fifo"),
    VITALS_NETDEV_STAT("transmit_colls"), VITALS_NETDEV_STAT("transmit_carrier"),
    VITALS_NETDEV_STAT("transmit_compressed"),
    // the detailed ones
    VITALS_NETDEV_STAT("receive_errors"), VITALS_NETDEV_STAT("receive_dropped"),
    VITALS_NETDEV_STAT("multicast"), VITALS_NETDEV_STAT("collisions"),
    VITALS_NETDEV_STAT("receive_length_errors"), VITALS_NETDEV_STAT("receive_over_errors"),
    VITALS_NETDEV_STAT("receive_crc_errors"), VITALS_NETDEV_STAT("receive_frame_errors"),
    VITALS_NETDEV_STAT("receive_fifo_errors"), VITALS_NETDEV_STAT("receive_missed_errors"),
    VITALS_NETDEV_STAT("transmit_errors"), VITALS_NETDEV_STAT("transmit_dropped"),
    VITALS_NETDEV_STAT("transmit_aborted_errors"), VITALS_NETDEV_STAT("transmit_carrier_errors"),
    VITALS_NETDEV_STAT("transmit_fifo_errors"), VITALS_NETDEV_STAT("transmit_heartbeat_errors"),
    VITALS_NETDEV_STAT("transmit_window_errors"),
    {"node_network_address_info", "node network address by device", MetricType::Gauge,
     {"device", "address", "netmask", "scope"}},
};
#undef VITALS_NETDEV_STAT
enum Desc {
  kReceiveBytes, kReceivePackets, kReceiveErrs, kReceiveDrop, kReceiveFifo, kReceiveFrame,
  kReceiveCompressed, kReceiveMulticast, kReceiveNohandler, kTransmitBytes, kTransmitPackets,
  kTransmitErrs, kTransmitDrop, kTransmitFifo, kTransmitColls, kTransmitCarrier,
  kTransmitCompressed, kReceiveErrors, kReceiveDropped, kMulticast, kCollisions,
  kReceiveLengthErrors, kReceiveOverErrors, kReceiveCrcErrors, kReceiveFrameErrors,
  kReceiveFifoErrors, kReceiveMissedErrors, kTransmitErrors, kTransmitDropped,
  kTransmitAbortedErrors, kTransmitCarrierErrors, kTransmitFifoErrors, kTransmitHeartbeatErrors,
  kTransmitWindowErrors, kAddressInfo
};

// A family from netlink counters: their sum (uint64, wrapping as Go's).
struct FromLink {
  Desc desc;
  std::array<LinkStat, 4> sum;
  std::size_t terms;
};
// The kernel folds the detailed counters into /proc/net/dev's columns so
// (net/core/net-procfs.c); node_exporter does the same with netlink's.
const FromLink kLegacy[] = {
    {kReceiveBytes, {procfs::kRxBytes}, 1},
    {kReceivePackets, {procfs::kRxPackets}, 1},
    {kReceiveErrs, {procfs::kRxErrors}, 1},
    {kReceiveDrop, {procfs::kRxDropped, procfs::kRxMissedErrors}, 2},
    {kReceiveFifo, {procfs::kRxFifoErrors}, 1},
    {kReceiveFrame,
     {procfs::kRxFrameErrors, procfs::kRxLengthErrors, procfs::kRxOverErrors, procfs::kRxCrcErrors}, 4},
    {kReceiveCompressed, {procfs::kRxCompressed}, 1},
    {kReceiveMulticast, {procfs::kMulticast}, 1},
    {kReceiveNohandler, {procfs::kRxNohandler}, 1},
    {kTransmitBytes, {procfs::kTxBytes}, 1},
    {kTransmitPackets, {procfs::kTxPackets}, 1},
    {kTransmitErrs, {procfs::kTxErrors}, 1},
    {kTransmitDrop, {procfs::kTxDropped}, 1},
    {kTransmitFifo, {procfs::kTxFifoErrors}, 1},
    {kTransmitColls, {procfs::kCollisions}, 1},
    {kTransmitCarrier,
     {procfs::kTxCarrierErrors, procfs::kTxAbortedErrors, procfs::kTxHeartbeatErrors,
      procfs::kTxWindowErrors}, 4},
    {kTransmitCompressed, {procfs::kTxCompressed}, 1},
};
const FromLink kDetailed[] = {
    {kReceivePackets, {procfs::kRxPackets}, 1},
    {kTransmitPackets, {procfs::kTxPackets}, 1},
    {kReceiveBytes, {procfs::kRxBytes}, 1},
    {kTransmitBytes, {procfs::kTxBytes}, 1},
    {kReceiveErrors, {procfs::kRxErrors}, 1},
    {kTransmitErrors, {procfs::kTxErrors}, 1},
    {kReceiveDropped, {procfs::kRxDropped}, 1},
    {kTransmitDropped, {procfs::kTxDropped}, 1},
    {kMulticast, {procfs::kMulticast}, 1},
    {kCollisions, {procfs::kCollisions}, 1},
    {kReceiveLengthErrors, {procfs::kRxLengthErrors}, 1},
    {kReceiveOverErrors, {procfs::kRxOverErrors}, 1},
    {kReceiveCrcErrors, {procfs::kRxCrcErrors}, 1},
    {kReceiveFrameErrors, {procfs::kRxFrameErrors}, 1},
    {kReceiveFifoErrors, {procfs::kRxFifoErrors}, 1},
    {kReceiveMissedErrors, {procfs::kRxMissedErrors}, 1},
    {kTransmitAbortedErrors, {procfs::kTxAbortedErrors}, 1},
    {kTransmitCarrierErrors, {procfs::kTxCarrierErrors}, 1},
    {kTransmitFifoErrors, {procfs::kTxFifoErrors}, 1},
    {kTransmitHeartbeatErrors, {procfs::kTxHeartbeatErrors}, 1},
    {kTransmitWindowErrors, {procfs::kTxWindowErrors}, 1},
    {kReceiveCompressed, {procfs::kRxCompressed}, 1},
    {kTransmitCompressed, {procfs::kTxCompressed}, 1},
    {kReceiveNohandler, {procfs::kRxNohandler}, 1},
};

// The family of a /proc/net/dev column: "node_network_receive_" or
// "_transmit_", the column's name and "_total", with the detailed names for
// errs and drop when asked; nullptr for a column node_exporter does not read.
const MetricDesc* ColumnDesc(const procfs::NetDevColumn& column, bool detailed) {
  std::string_view name = column.name;
  if (detailed && name == "errs") {
    name = "errors";
  } else if (detailed && name == "drop") {
    name = "dropped";
  }
  std::string wanted = column.transmit ? "node_network_transmit_" : "node_network_receive_";
  wanted += name;
  wanted += "_total";
  for (const MetricDesc& desc : kDescs) {
    if (desc.name == wanted) {
      return &desc;
    }
  }
  return nullptr;
}

class NetdevCollector : public Collector {
 public:
  explicit NetdevCollector(const CollectorContext& ctx)
      : proc_(ctx.proc),
        filter_(ctx.flags, "collector.netdev.device-exclude", "collector.netdev.device-include"),
        address_info_(ctx.flags.Bool("collector.netdev.address-info")),
        detailed_(ctx.flags.Bool("collector.netdev.enable-detailed-metrics")),
        netlink_(ctx.flags.Bool("collector.netdev.netlink")) {
    if (filter_.has_exclude() && filter_.has_include()) {
      // As node_exporter, which refuses to start; the exclude has a default.
      throw std::invalid_argument(
          "--collector.netdev.device-exclude and --collector.netdev.device-include are mutually "
          "exclusive (the exclude defaults to ^lo$: give --collector.netdev.device-exclude= to "
          "clear it)");
    }
  }
  std::string_view name() const override { return "netdev"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto counted = netlink_ ? CollectLinks(out) : CollectProcNetDev(out);
    if (!counted) {
      return counted;
    }
    return address_info_ ? CollectAddresses(out) : procfs::Result<void>();
  }

 private:
  procfs::Result<void> CollectLinks(MetricSink& out) {
    if (auto dumped = procfs::RouteNetlink::DumpLinks(buffer_, links_); !dumped) {
      return dumped;
    }
    for (const procfs::NetlinkLink& link : links_) {
      if (filter_.Ignored(link.name) || link.stats_count == 0) {
        continue;
      }
      for (const FromLink& family : detailed_ ? std::span<const FromLink>(kDetailed)
                                              : std::span<const FromLink>(kLegacy)) {
        std::uint64_t value = 0;
        bool sent = true;  // a kernel before 4.6 sends no rx_nohandler: none is made up
        for (std::size_t i = 0; i < family.terms; ++i) {
          sent = sent && family.sum[i] < link.stats_count;
          value += link.stats[family.sum[i]];
        }
        if (sent) {
          out.Add(kDescs[family.desc], static_cast<double>(value), {link.name});
        }
      }
    }
    return {};
  }

  procfs::Result<void> CollectProcNetDev(MetricSink& out) {
    if (auto read = procfs::ReadNetDev(proc_, buffer_, netdev_); !read) {
      return read;
    }
    columns_.clear();
    for (const procfs::NetDevColumn& column : netdev_.columns) {
      columns_.push_back(ColumnDesc(column, detailed_));
    }
    for (std::size_t device = 0; device < netdev_.devices.size(); ++device) {
      if (filter_.Ignored(netdev_.devices[device])) {
        continue;
      }
      for (std::size_t column = 0; column < columns_.size(); ++column) {
        if (columns_[column] != nullptr) {
          out.Add(*columns_[column], static_cast<double>(netdev_.value(device, column)),
                  {netdev_.devices[device]});
        }
      }
    }
    return {};
  }

  // Every address of every device (not filtered: node_exporter lists them
  // all), as Go's net.Interfaces() and node_exporter's getAddrsInfo see them.
  procfs::Result<void> CollectAddresses(MetricSink& out) {
    if (!netlink_) {
      if (auto dumped = procfs::RouteNetlink::DumpLinks(buffer_, links_); !dumped) {
        return dumped;
      }
    }
    if (auto dumped = procfs::RouteNetlink::DumpAddresses(buffer_, addresses_); !dumped) {
      return dumped;
    }
    by_index_.clear();
    for (const procfs::NetlinkLink& link : links_) {
      by_index_.emplace_back(link.index, &link.name);
    }
    std::sort(by_index_.begin(), by_index_.end());
    for (const procfs::NetlinkAddress& address : addresses_) {
      auto link = std::lower_bound(by_index_.begin(), by_index_.end(),
                                   std::pair<std::uint32_t, const std::string*>(address.index, nullptr));
      std::span<const std::uint8_t> ip(address.bytes.data(), address.size);
      if (link == by_index_.end() || link->first != address.index || address.prefix_length > address.size * 8u) {
        continue;  // no such device now; a prefix Go makes no mask of
      }
      // Go prints an IPv4-mapped IPv6 address as IPv4, its mask cut to the
      // last 32 bits.
      unsigned netmask = address.prefix_length;
      if (address.size == 16 && procfs::To4(ip)) {
        netmask = netmask >= 96 ? netmask - 96 : 0;
      }
      out.Add(kDescs[kAddressInfo], 1,
              {*link->second, procfs::FormatIp(ip), std::to_string(netmask), procfs::AddressScope(ip)});
    }
    return {};
  }

  const procfs::ProcFs& proc_;
  const DeviceFilter filter_;
  const bool address_info_;
  const bool detailed_;
  const bool netlink_;
  std::string buffer_;
  std::vector<procfs::NetlinkLink> links_;
  std::vector<procfs::NetlinkAddress> addresses_;
  std::vector<std::pair<std::uint32_t, const std::string*>> by_index_;  // links_ by index
  procfs::NetDev netdev_;
  std::vector<const MetricDesc*> columns_;  // the family of each of netdev_'s columns
};

}  // namespace

VITALS_REGISTER_COLLECTOR(netdev, "Network device counters, from rtnetlink or /proc/net/dev",
                          kEnabled, kFlags, NetdevCollector);

}  // namespace vitals::collectors
