// node_exporter's network collectors built by name through the registry, on
// temporary trees (netdev and its address-info also on this machine's
// rtnetlink): their families, flags, and what each does when its files are
// absent (NoData, nothing, or an error, as node_exporter there).

#include <catch2/catch.hpp>

#include <stdexcept>

#include "tests/unit/host/proc_tree.h"

using namespace vitals::collectors;
using namespace vitals::testing;  // ProcTree, Collect, FindFamily, Sample
using vitals::procfs::Errc;

namespace {

constexpr std::string_view kNetDev =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
    "colls carrier compressed\n"
    "    lo: 8934327286 18331014    0    0    0     0          0         0 8934327286 18331014    0    0    0     0       0          0\n"
    "  eth0: 850972757   17994    1    2    3     4          5         6   792180   10090    7    8    9    10      11         12\n"
    "veth-\xc3\xb6" "dd: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";

}  // namespace

TEST_CASE("netdev from /proc/net/dev: node_exporter's keys, lo left out by default", "[collectors]") {
  ProcTree tree;
  tree.Write("net/dev", kNetDev);
  tree.SetFlag("collector.netdev.netlink", "false");
  SECTION("the default keys") {
    auto c = Collect(*tree.Make("netdev"));
    REQUIRE(c.result.ok());
    CHECK(c.families.size() == 16);
    CHECK(Sample(c.families, "node_network_receive_bytes_total", {{"device", "eth0"}}) == 850972757);
    CHECK(Sample(c.families, "node_network_receive_errs_total", {{"device", "eth0"}}) == 1);
    CHECK(Sample(c.families, "node_network_receive_drop_total", {{"device", "eth0"}}) == 2);
    CHECK(Sample(c.families, "node_network_transmit_colls_total", {{"device", "eth0"}}) == 10);
    CHECK(Sample(c.families, "node_network_transmit_compressed_total", {{"device", "veth-\xc3\xb6" "dd"}}) == 16);
    CHECK_FALSE(Sample(c.families, "node_network_receive_bytes_total", {{"device", "lo"}}));
    const auto* family = FindFamily(c.families, "node_network_transmit_carrier_total");
    REQUIRE(family != nullptr);
    CHECK(family->type == prometheus::MetricType::Counter);
    CHECK(family->help == "Network device statistic transmit_carrier.");
    CHECK(SeriesOf(c.families, "node_network_receive_nohandler_total") == 0);  // not in /proc/net/dev
  }
  SECTION("detailed names: errors and dropped") {
    tree.SetFlag("collector.netdev.enable-detailed-metrics", "true");
    auto c = Collect(*tree.Make("netdev"));
    REQUIRE(c.result.ok());
    CHECK(Sample(c.families, "node_network_receive_errors_total", {{"device", "eth0"}}) == 1);
    CHECK(Sample(c.families, "node_network_transmit_dropped_total", {{"device", "eth0"}}) == 8);
    CHECK(Sample(c.families, "node_network_receive_fifo_total", {{"device", "eth0"}}) == 3);
    CHECK_FALSE(FindFamily(c.families, "node_network_receive_errs_total"));
  }
  SECTION("include, or an exclude of our own; both is refused") {
    tree.SetFlag("collector.netdev.device-exclude", "");
    tree.SetFlag("collector.netdev.device-include", "^(lo|eth)");
    auto c = Collect(*tree.Make("netdev"));
    REQUIRE(c.result.ok());
    CHECK(SeriesOf(c.families, "node_network_receive_bytes_total") == 2);
    CHECK(Sample(c.families, "node_network_receive_bytes_total", {{"device", "lo"}}) == 8934327286.0);
    tree.SetFlag("collector.netdev.device-exclude", "^eth");
    CHECK_THROWS_WITH(tree.Make("netdev"), Catch::Contains("mutually exclusive"));
    tree.SetFlag("collector.netdev.device-include", "");
    auto excluded = Collect(*tree.Make("netdev"));
    CHECK(SeriesOf(excluded.families, "node_network_receive_bytes_total") == 2);  // lo and veth
  }
  SECTION("a missing or garbled file fails the collector") {
    tree.Remove("net/dev");
    auto missing = Collect(*tree.Make("netdev"));
    REQUIRE_FALSE(missing.result.ok());
    CHECK(missing.result.error().code == Errc::kNotFound);
    tree.Write("net/dev", std::string(kNetDev) + "bad: 1 2\n");
    auto bad = Collect(*tree.Make("netdev"));
    REQUIRE_FALSE(bad.result.ok());
    CHECK(bad.result.error().code == Errc::kParse);
    CHECK(bad.families.empty());
  }
}

TEST_CASE("netdev from rtnetlink (the default), and address-info, on this machine", "[collectors]") {
  ProcTree tree;  // no net/dev there: rtnetlink does not read it
  tree.SetFlag("collector.netdev.device-exclude", "");
  tree.SetFlag("collector.netdev.address-info", "true");
  auto c = Collect(*tree.Make("netdev"));
  REQUIRE(c.result.ok());
  CHECK(c.families.size() == 18);  // 17 counters, with rx_nohandler, and address-info
  CHECK(Sample(c.families, "node_network_receive_nohandler_total", {{"device", "lo"}}));
  CHECK(Sample(c.families, "node_network_receive_packets_total", {{"device", "lo"}}) >= 0);
  // lo's address, as Go's net package reports it (loopback is "link-local"
  // to node_exporter).
  CHECK(Sample(c.families, "node_network_address_info",
               {{"device", "lo"}, {"address", "127.0.0.1"}, {"netmask", "8"}, {"scope", "link-local"}}) == 1);
  tree.SetFlag("collector.netdev.enable-detailed-metrics", "true");
  auto detailed = Collect(*tree.Make("netdev"));
  REQUIRE(detailed.result.ok());
  CHECK(detailed.families.size() == 25);
  CHECK(Sample(detailed.families, "node_network_receive_missed_errors_total", {{"device", "lo"}}));
}

TEST_CASE("netclass: attributes of /sys/class/net/<iface>", "[collectors]") {
  ProcTree tree;
  tree.Write("sysfs/class/net/eth0/operstate", "up\n");
  tree.Write("sysfs/class/net/eth0/address", "02:fc:00:00:00:01\n");
  tree.Write("sysfs/class/net/eth0/duplex", "full\n");
  tree.Write("sysfs/class/net/eth0/speed", "10000\n");
  tree.Write("sysfs/class/net/eth0/flags", "0x1003\n");
  tree.Write("sysfs/class/net/eth0/carrier_changes", "3\n");
  tree.Write("sysfs/class/net/veth0/operstate", "down\n");
  tree.Write("sysfs/class/net/veth0/speed", "-1\n");
  tree.Write("sysfs/class/net/bonding_masters", "bond0\n");
  SECTION("up, info and the integer attributes; speed in bytes per second") {
    auto c = Collect(*tree.Make("netclass"));
    REQUIRE(c.result.ok());
    CHECK(Sample(c.families, "node_network_up", {{"device", "eth0"}}) == 1);
    CHECK(Sample(c.families, "node_network_up", {{"device", "veth0"}}) == 0);
    CHECK(Sample(c.families, "node_network_info",
                 {{"device", "eth0"}, {"address", "02:fc:00:00:00:01"}, {"broadcast", ""}, {"duplex", "full"},
                  {"operstate", "up"}, {"ifalias", ""}}) == 1);
    CHECK(Sample(c.families, "node_network_speed_bytes", {{"device", "eth0"}}) == 1250000000);
    CHECK(Sample(c.families, "node_network_speed_bytes", {{"device", "veth0"}}) == -125000);
    CHECK(Sample(c.families, "node_network_flags", {{"device", "eth0"}}) == 4099);
    CHECK(Sample(c.families, "node_network_carrier_changes_total", {{"device", "eth0"}}) == 3);
    CHECK(FindFamily(c.families, "node_network_carrier_changes_total")->type == prometheus::MetricType::Counter);
    CHECK(FindFamily(c.families, "node_network_mtu_bytes") == nullptr);  // no such file anywhere
    CHECK(SeriesOf(c.families, "node_network_up") == 2);                 // not bonding_masters
  }
  SECTION("--collector.netclass.ignore-invalid-speed and ignored-devices") {
    tree.SetFlag("collector.netclass.ignore-invalid-speed", "true");
    tree.SetFlag("collector.netclass.ignored-devices", "^eth");
    auto c = Collect(*tree.Make("netclass"));
    REQUIRE(c.result.ok());
    CHECK(SeriesOf(c.families, "node_network_up") == 1);
    CHECK_FALSE(FindFamily(c.families, "node_network_speed_bytes"));
  }
  SECTION("an ignored device is not read") {
    tree.Write("sysfs/class/net/veth0/mtu", "garbage\n");
    tree.SetFlag("collector.netclass.ignored-devices", "^veth");
    CHECK(Collect(*tree.Make("netclass")).result.ok());
  }
  SECTION("a bad attribute fails the collector; no class/net is no data") {
    tree.Write("sysfs/class/net/veth0/mtu", "garbage\n");
    auto bad = Collect(*tree.Make("netclass"));
    REQUIRE_FALSE(bad.result.ok());
    CHECK(bad.result.error().code == Errc::kParse);
    CHECK(bad.families.empty());
    tree.Remove("sysfs/class");
    auto none = Collect(*tree.Make("netclass"));
    REQUIRE_FALSE(none.result.ok());
    CHECK(none.result.error().code == Errc::kNoData);
  }
}

TEST_CASE("arp: entries per device, with its device filter", "[collectors]") {
  ProcTree tree;
  tree.Write("net/arp",
             "IP address       HW type     Flags       HW address            Mask     Device\n"
             "10.9.0.2         0x1         0x2         02:00:00:00:00:02     *        veth0\n"
             "10.9.0.99        0x1         0x0         00:00:00:00:00:00     *        veth0\n"
             "192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0\n");
  auto c = Collect(*tree.Make("arp"));
  REQUIRE(c.result.ok());
  CHECK(Sample(c.families, "node_arp_entries", {{"device", "veth0"}}) == 2);
  CHECK(Sample(c.families, "node_arp_entries", {{"device", "eth0"}}) == 1);
  CHECK(FindFamily(c.families, "node_arp_entries")->help == "ARP entries by device");
  tree.SetFlag("collector.arp.device-exclude", "^veth");
  CHECK(SeriesOf(Collect(*tree.Make("arp")).families, "node_arp_entries") == 1);
  tree.SetFlag("collector.arp.device-include", "^veth");  // both apply, as node_exporter's
  CHECK(SeriesOf(Collect(*tree.Make("arp")).families, "node_arp_entries") == 0);
  tree.Remove("net/arp");
  auto missing = Collect(*tree.Make("arp"));
  REQUIRE_FALSE(missing.result.ok());
  CHECK(missing.result.error().code == Errc::kNotFound);  // an error, as node_exporter's
}

TEST_CASE("conntrack: table size and statistics, and no module is no data", "[collectors]") {
  ProcTree tree;
  auto none = Collect(*tree.Make("conntrack"));
  REQUIRE_FALSE(none.result.ok());
  CHECK(none.result.error().code == Errc::kNoData);
  tree.Write("sys/net/netfilter/nf_conntrack_count", "33\n");
  tree.Write("sys/net/netfilter/nf_conntrack_max", "262144\n");
  SECTION("no stat file: no data, the two samples made kept, as node_exporter") {
    auto c = Collect(*tree.Make("conntrack"));
    REQUIRE_FALSE(c.result.ok());
    CHECK(c.result.error().code == Errc::kNoData);
    CHECK(Sample(c.families, "node_nf_conntrack_entries") == 33);
    CHECK(Sample(c.families, "node_nf_conntrack_entries_limit") == 262144);
  }
  SECTION("with the statistics") {
    tree.Write("net/stat/nf_conntrack",
               "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop "
               "early_drop icmp_error  expect_new expect_create expect_delete search_restart\n"
               "00000021  00000000 00000003 00000000 00000006 00000001 00000000 00000000 00000002 00000001 "
               "00000004 00000005 00000000  00000000 00000000 00000000 0000000a\n");
    auto c = Collect(*tree.Make("conntrack"));
    REQUIRE(c.result.ok());
    CHECK(c.families.size() == 10);
    CHECK(Sample(c.families, "node_nf_conntrack_stat_invalid") == 6);
    CHECK(Sample(c.families, "node_nf_conntrack_stat_search_restart") == 10);
    CHECK(FindFamily(c.families, "node_nf_conntrack_stat_found")->type == prometheus::MetricType::Gauge);
  }
  SECTION("a count that is not a number is an error") {
    tree.Write("sys/net/netfilter/nf_conntrack_count", "many\n");
    CHECK(Collect(*tree.Make("conntrack")).result.error().code == Errc::kParse);
  }
}

TEST_CASE("ipvs: totals and real servers summed by the chosen labels", "[collectors]") {
  ProcTree tree;
  auto none = Collect(*tree.Make("ipvs"));
  REQUIRE_FALSE(none.result.ok());
  CHECK(none.result.error().code == Errc::kNoData);
  tree.Write("net/ip_vs_stats",
             "   Total Incoming Outgoing         Incoming         Outgoing\n"
             "   Conns  Packets  Packets            Bytes            Bytes\n"
             "     23B 1FDA5F9E        0      1B8C1D6F1C0                0\n\n"
             " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n"
             "       4      1FB        0            1C6A0                0\n");
  SECTION("stats without the server list is an error") {
    auto c = Collect(*tree.Make("ipvs"));
    REQUIRE_FALSE(c.result.ok());
    CHECK(c.result.error().code == Errc::kNotFound);
  }
  tree.Write("net/ip_vs",
             "IP Virtual Server version 1.2.1 (size=4096)\n"
             "Prot LocalAddress:Port Scheduler Flags\n"
             "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
             "TCP  C0A80016:0CEA wlc\n"
             "  -> C0A85216:0CEA      Tunnel  100    248        2\n"
             "  -> C0A85318:0CEA      Tunnel  100    1          0\n"
             "FWM  10001000 wlc\n"
             "  -> C0A8321A:0CEA      Route   0      0          0\n");
  SECTION("every label") {
    auto c = Collect(*tree.Make("ipvs"));
    REQUIRE(c.result.ok());
    CHECK(Sample(c.families, "node_ipvs_connections_total") == 0x23b);
    CHECK(Sample(c.families, "node_ipvs_incoming_bytes_total") == 0x1b8c1d6f1c0);
    CHECK(Sample(c.families, "node_ipvs_backend_connections_active",
                 {{"local_address", "192.168.0.22"}, {"local_port", "3306"}, {"remote_address", "192.168.82.22"},
                  {"remote_port", "3306"}, {"proto", "TCP"}, {"local_mark", ""}}) == 248);
    CHECK(Sample(c.families, "node_ipvs_backend_weight",
                 {{"local_address", ""}, {"local_port", "0"}, {"remote_address", "192.168.50.26"},
                  {"remote_port", "3306"}, {"proto", "FWM"}, {"local_mark", "10001000"}}) == 0);
    CHECK(SeriesOf(c.families, "node_ipvs_backend_weight") == 3);
  }
  SECTION("fewer labels: servers that share them are summed, labels in node_exporter's order") {
    tree.SetFlag("collector.ipvs.backend-labels", "proto,local_port");
    auto collector = tree.Make("ipvs");
    for (const MetricDesc& desc : collector->Describe()) {
      if (desc.name == "node_ipvs_backend_weight") {
        CHECK(desc.labels == std::vector<std::string_view>{"local_port", "proto"});
      }
    }
    auto c = Collect(*collector);
    REQUIRE(c.result.ok());
    CHECK(Sample(c.families, "node_ipvs_backend_connections_active", {{"local_port", "3306"}, {"proto", "TCP"}}) ==
          249);
    CHECK(Sample(c.families, "node_ipvs_backend_weight", {{"local_port", "3306"}, {"proto", "TCP"}}) == 200);
    CHECK(SeriesOf(c.families, "node_ipvs_backend_weight") == 2);
  }
  SECTION("no labels: one series") {
    tree.SetFlag("collector.ipvs.backend-labels", "");
    auto c = Collect(*tree.Make("ipvs"));
    REQUIRE(c.result.ok());
    CHECK(Sample(c.families, "node_ipvs_backend_connections_inactive") == 2);
  }
  SECTION("an unknown label is refused, naming it") {
    tree.SetFlag("collector.ipvs.backend-labels", "proto,zone,host");
    CHECK_THROWS_WITH(tree.Make("ipvs"), Catch::Contains("\"host, zone\""));
  }
}

TEST_CASE("infiniband, fibrechannel, bonding: no hardware is no data", "[collectors]") {
  ProcTree tree;
  for (std::string_view name : {"infiniband", "fibrechannel", "bonding"}) {
    CAPTURE(name);
    auto c = Collect(*tree.Make(name));
    REQUIRE_FALSE(c.result.ok());
    CHECK(c.result.error().code == Errc::kNoData);
    CHECK(c.families.empty());
  }
}

TEST_CASE("infiniband, fibrechannel, bonding: their families", "[collectors]") {
  ProcTree tree;
  tree.Write("sysfs/class/infiniband/mlx4_0/board_id", "SM_1141000001000\n");
  tree.Write("sysfs/class/infiniband/mlx4_0/fw_ver", "2.31.5050\n");
  tree.Write("sysfs/class/infiniband/mlx4_0/hca_type", "MT4099\n");
  tree.Write("sysfs/class/infiniband/mlx4_0/ports/1/state", "4: ACTIVE\n");
  tree.Write("sysfs/class/infiniband/mlx4_0/ports/1/phys_state", "5: LinkUp\n");
  tree.Write("sysfs/class/infiniband/mlx4_0/ports/1/rate", "40 Gb/sec (4X QDR)\n");
  tree.Write("sysfs/class/infiniband/mlx4_0/ports/1/counters/port_rcv_data", "1000\n");
  tree.Write("sysfs/class/infiniband/mlx4_0/ports/1/counters/link_downed", "1\n");
  auto ib = Collect(*tree.Make("infiniband"));
  REQUIRE(ib.result.ok());
  CHECK(Sample(ib.families, "node_infiniband_info",
               {{"device", "mlx4_0"}, {"board_id", "SM_1141000001000"}, {"firmware_version", "2.31.5050"},
                {"hca_type", "MT4099"}}) == 1);
  CHECK(Sample(ib.families, "node_infiniband_state_id", {{"device", "mlx4_0"}, {"port", "1"}}) == 4);
  CHECK(Sample(ib.families, "node_infiniband_rate_bytes_per_second", {{"device", "mlx4_0"}, {"port", "1"}}) ==
        5000000000.0);
  CHECK(Sample(ib.families, "node_infiniband_port_data_received_bytes_total", {{"device", "mlx4_0"}, {"port", "1"}}) ==
        4000);
  CHECK(Sample(ib.families, "node_infiniband_link_downed_total", {{"device", "mlx4_0"}, {"port", "1"}}) == 1);
  CHECK_FALSE(FindFamily(ib.families, "node_infiniband_symbol_error_total"));
  CHECK(ib.families.size() == 6);

  const std::string host = "sysfs/class/fc_host/host0/";
  for (auto [file, value] : {std::pair{"speed", "16 Gbit"}, {"port_state", "Online"}, {"port_type", "NPort (fabric via point-to-point)"},
                             {"node_name", "0x20000024ff2b1234"}, {"port_id", "0x010203"}, {"port_name", "0x21000024ff2b1234"},
                             {"fabric_name", "0x0"}, {"dev_loss_tmo", "30"}, {"symbolic_name", "QLE2742"},
                             {"supported_classes", "Class 3"}, {"supported_speeds", "16 Gbit"}}) {
    tree.Write(host + file, std::string(value) + "\n");
  }
  tree.Write(host + "statistics/tx_frames", "0x1a\n");
  tree.Write(host + "statistics/rx_frames", "0xffffffffffffffff\n");  // not implemented by the HBA
  auto fc = Collect(*tree.Make("fibrechannel"));
  REQUIRE(fc.result.ok());
  CHECK(Sample(fc.families, "node_fibrechannel_tx_frames_total", {{"fc_host", "host0"}}) == 26);
  CHECK_FALSE(FindFamily(fc.families, "node_fibrechannel_rx_frames_total"));
  CHECK_FALSE(FindFamily(fc.families, "node_fibrechannel_nos_total"));  // absent: unknown, not 0
  const auto* info = FindFamily(fc.families, "node_fibrechannel_info");
  REQUIRE(info != nullptr);
  REQUIRE(info->metric.size() == 1);
  CHECK(LabelsOf(info->metric[0]).at("port_name") == "21000024ff2b1234");
  CHECK(LabelsOf(info->metric[0]).at("dev_loss_tmo") == "30");

  tree.Write("sysfs/class/net/bonding_masters", "bond0\n");
  tree.Write("sysfs/class/net/bond0/bonding/slaves", "eth0 eth1\n");
  tree.Write("sysfs/class/net/bond0/lower_eth0/bonding_slave/mii_status", "up\n");
  tree.Write("sysfs/class/net/bond0/lower_eth1/bonding_slave/mii_status", "down\n");
  auto bonding = Collect(*tree.Make("bonding"));
  REQUIRE(bonding.result.ok());
  CHECK(Sample(bonding.families, "node_bonding_slaves", {{"master", "bond0"}}) == 2);
  CHECK(Sample(bonding.families, "node_bonding_active", {{"master", "bond0"}}) == 1);
}
