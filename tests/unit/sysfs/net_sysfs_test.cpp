// The sysfs readers of node_exporter's netclass, infiniband, fibrechannel
// and bonding collectors, on temporary trees.

#include <catch2/catch.hpp>

#include <string>

#include "collectors/sysfs/attribute.h"
#include "collectors/sysfs/bonding.h"
#include "collectors/sysfs/fibre_channel.h"
#include "collectors/sysfs/infiniband.h"
#include "collectors/sysfs/net_class.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::sysfs;
using vitals::procfs::Errc;
using vitals::procfs::RootDir;
using vitals::testing::OpenRootDir;
using vitals::testing::TempTree;

namespace {

// A port of an InfiniBand device with the files node_exporter requires.
void WritePort(const TempTree& tree, const std::string& port_dir) {
  tree.Write(port_dir + "/state", "4: ACTIVE\n");
  tree.Write(port_dir + "/phys_state", "5: LinkUp\n");
  tree.Write(port_dir + "/rate", "100 Gb/sec (4X EDR)\n");
  tree.Mkdir(port_dir + "/counters");
}

void WriteFcHost(const TempTree& tree, const std::string& dir) {
  tree.Write(dir + "/speed", "16 Gbit\n");
  tree.Write(dir + "/port_state", "Online\n");
  tree.Write(dir + "/port_type", "NPort (fabric via point-to-point)\n");
  tree.Write(dir + "/node_name", "0x20000024ff2b1234\n");
  tree.Write(dir + "/port_id", "0x010203\n");
  tree.Write(dir + "/port_name", "0x21000024ff2b1234\n");
  tree.Write(dir + "/fabric_name", "0x0\n");
  tree.Write(dir + "/dev_loss_tmo", "30\n");
  tree.Write(dir + "/symbolic_name", "QLE2742 FW:v8.08.204 DVR:v10.02.00.106-k\n");
  tree.Write(dir + "/supported_classes", "Class 3\n");
  tree.Write(dir + "/supported_speeds", "4 Gbit, 8 Gbit, 16 Gbit, 32 Gbit\n");
  tree.Mkdir(dir + "/statistics");
}

}  // namespace

TEST_CASE("ReadAttribute: the first 128 bytes, trimmed as Go", "[sysfs]") {
  TempTree tree;
  RootDir sys = OpenRootDir(tree.path());
  std::string buffer;
  tree.Write("a", std::string(127, 'x') + "yz \n");
  tree.Write("b", "\xc2\xa0 uplink to core \xc2\x85\n");
  auto a = ReadAttribute(sys, "a", buffer);
  REQUIRE(a.ok());
  CHECK(*a == std::string(127, 'x') + "y");
  CHECK(*ReadAttribute(sys, "b", buffer) == "uplink to core");
  auto missing = ReadAttribute(sys, "c", buffer);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == Errc::kNotFound);
  CHECK(IsUnsupported(missing.error()));
  CHECK_THAT(missing.error().path, Catch::EndsWith("/c"));
  vitals::procfs::Error einval{Errc::kIo, "speed", "Invalid argument", EINVAL};
  vitals::procfs::Error eio{Errc::kIo, "speed", "Input/output error", EIO};
  vitals::procfs::Error eacces{Errc::kPermission, "speed", "Permission denied", EACCES};
  CHECK(IsUnsupported(einval));
  CHECK(IsUnsupported(eacces));
  CHECK_FALSE(IsAbsentOrUnsupported(eacces));
  CHECK_FALSE(IsUnsupported(eio));
}

TEST_CASE("ReadNetClassIface", "[sysfs]") {
  TempTree tree;
  RootDir sys = OpenRootDir(tree.path());
  std::string buffer;
  NetClassIface iface;
  tree.Write("class/net/eth0/address", "02:fc:00:00:00:01\n");
  tree.Write("class/net/eth0/operstate", "up\n");
  tree.Write("class/net/eth0/ifalias", "uplink to core  \n");
  tree.Write("class/net/eth0/flags", "0x1003\n");
  tree.Write("class/net/eth0/mtu", "1500\n");
  tree.Write("class/net/eth0/speed", "-1\n");
  tree.Write("class/net/eth0/carrier_changes", "4294967297\n");
  tree.Write("class/net/bonding_masters", "bond0\n");
  SECTION("text and integer attributes; absent ones stay unset") {
    auto devices = ReadNetClassDevices(sys);
    REQUIRE(devices.ok());
    CHECK(*devices == std::vector<std::string>{"bonding_masters", "eth0"});
    auto read = ReadNetClassIface(sys, "eth0", buffer, iface);
    REQUIRE(read.ok());
    REQUIRE(*read);
    CHECK(iface.name == "eth0");
    CHECK(iface.address == "02:fc:00:00:00:01");
    CHECK(iface.operstate == "up");
    CHECK(iface.ifalias == "uplink to core");
    CHECK(iface.duplex.empty());
    CHECK(iface.numbers[kFlags] == 0x1003);
    CHECK(iface.numbers[kMtu] == 1500);
    CHECK(iface.numbers[kSpeed] == -1);
    CHECK(iface.numbers[kCarrierChanges] == 4294967297);
    CHECK_FALSE(iface.numbers[kCarrier]);
    CHECK_FALSE(iface.numbers[kType]);
  }
  SECTION("reused: what the next device lacks is unset again") {
    tree.Write("class/net/eth1/mtu", "9000\n");
    REQUIRE(*ReadNetClassIface(sys, "eth0", buffer, iface));
    REQUIRE(*ReadNetClassIface(sys, "eth1", buffer, iface));
    CHECK(iface.name == "eth1");
    CHECK(iface.address.empty());
    CHECK_FALSE(iface.numbers[kFlags]);
    CHECK(iface.numbers[kMtu] == 9000);
  }
  SECTION("a regular file in class/net is no device; nor is one gone since the listing") {
    CHECK(*ReadNetClassIface(sys, "bonding_masters", buffer, iface) == false);
    CHECK(*ReadNetClassIface(sys, "gone", buffer, iface) == false);
  }
  SECTION("an attribute that is not an integer is an error naming the file") {
    tree.Write("class/net/eth0/mtu", "lots\n");
    auto read = ReadNetClassIface(sys, "eth0", buffer, iface);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().code == Errc::kParse);
    CHECK_THAT(read.error().path, Catch::EndsWith("class/net/eth0/mtu"));
    CHECK_THAT(read.error().detail, Catch::Contains("lots"));
  }
  SECTION("an attribute that is a directory is an error") {
    tree.Mkdir("class/net/eth0/dormant");
    auto read = ReadNetClassIface(sys, "eth0", buffer, iface);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().code == Errc::kIo);
  }
  SECTION("no class/net") {
    tree.Remove("class");
    CHECK(ReadNetClassDevices(sys).error().code == Errc::kNotFound);
  }
}

TEST_CASE("InfiniBand: states, rates and counters", "[sysfs]") {
  CHECK(ParseInfiniBandState("4: ACTIVE\n") == 4u);
  CHECK(ParseInfiniBandState(" 5 :LinkUp") == 5u);
  CHECK_FALSE(ParseInfiniBandState("ACTIVE"));
  CHECK_FALSE(ParseInfiniBandState("4: ACTIVE: x"));
  CHECK_FALSE(ParseInfiniBandState("x: ACTIVE"));
  CHECK(ParseInfiniBandRate("100 Gb/sec (4X EDR)\n") == 12500000000u);
  CHECK(ParseInfiniBandRate("2.5 Gb/sec (1X SDR)\n") == 312500000u);
  CHECK(ParseInfiniBandRate("14.0625 Gb/sec (1X FDR)") == 1757812500u);
  // Read as a float32 first, as node_exporter: 0.1 is 0.100000001490116...
  CHECK(ParseInfiniBandRate("0.1 Gb/sec") == 12500000u);
  CHECK(ParseInfiniBandRate("1.7 Gb/sec") == static_cast<std::uint64_t>(static_cast<double>(1.7f) * 125000000));
  for (std::string_view bad : {"100", " 100 Gb/sec", "x Gb/sec", "nan Gb/sec", "-1 Gb/sec", "1e39 Gb/sec",
                               "6666666666666666 Gb/sec" /* past 2^64 bytes/s */}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseInfiniBandRate(bad));
  }

  TempTree tree;
  RootDir sys = OpenRootDir(tree.path());
  std::string buffer;
  tree.Write("class/infiniband/mlx5_0/board_id", "MT_0000000010\n");
  tree.Write("class/infiniband/mlx5_0/fw_ver", "16.35.2000\n");
  WritePort(tree, "class/infiniband/mlx5_0/ports/1");
  auto counter = [](std::string_view file) {
    for (std::size_t i = 0; i < kInfiniBandCounterCount; ++i) {
      if (kInfiniBandCounters[i].file == file) {
        return i;
      }
    }
    FAIL("no counter " << file);
    return std::size_t{0};
  };
  SECTION("counters; data ones times the 4 lanes; counters_ext optional; hca_type optional") {
    tree.Write("class/infiniband/mlx5_0/ports/1/counters/port_xmit_data", "4611686018427387905\n");
    tree.Write("class/infiniband/mlx5_0/ports/1/counters/symbol_error", "0x10\n");
    tree.Write("class/infiniband/mlx5_0/ports/1/counters/VL15_dropped", "N/A (no PMA)\n");
    auto devices = ReadInfiniBand(sys, buffer);
    REQUIRE(devices.ok());
    REQUIRE(devices->size() == 1);
    const InfiniBandDevice& device = (*devices)[0];
    CHECK(device.name == "mlx5_0");
    CHECK(device.board_id == "MT_0000000010");
    CHECK(device.hca_type.empty());
    REQUIRE(device.ports.size() == 1);
    const InfiniBandPort& port = device.ports[0];
    CHECK(port.number == 1);
    CHECK(port.state_id == 4);
    CHECK(port.phys_state_id == 5);
    CHECK(port.rate == 12500000000u);
    CHECK(port.counters[counter("port_xmit_data")] == 4611686018427387905u * 4);  // wraps past 2^64
    CHECK(port.counters[counter("symbol_error")] == 16);
    CHECK_FALSE(port.counters[counter("VL15_dropped")]);
    CHECK_FALSE(port.counters[counter("port_rcv_data_64")]);
  }
  SECTION("legacy counters_ext") {
    tree.Write("class/infiniband/mlx5_0/ports/1/counters_ext/port_rcv_data_64", "10\n");
    auto devices = ReadInfiniBand(sys, buffer);
    REQUIRE(devices.ok());
    CHECK((*devices)[0].ports[0].counters[counter("port_rcv_data_64")] == 40);
  }
  SECTION("a counter that is not a number is an error") {
    tree.Write("class/infiniband/mlx5_0/ports/1/counters/link_downed", "N/A\n");
    auto devices = ReadInfiniBand(sys, buffer);
    REQUIRE_FALSE(devices.ok());
    CHECK(devices.error().code == Errc::kParse);
    CHECK_THAT(devices.error().path, Catch::EndsWith("counters/link_downed"));
  }
  SECTION("required files absent: kNotFound, node_exporter's no data") {
    for (std::string_view file : {"class/infiniband/mlx5_0/fw_ver", "class/infiniband/mlx5_0/ports/1/counters",
                                  "class/infiniband/mlx5_0/ports/1/rate", "class/infiniband/mlx5_0/ports"}) {
      CAPTURE(file);
      TempTree copy;
      copy.Write("class/infiniband/mlx5_0/board_id", "MT_0000000010\n");
      copy.Write("class/infiniband/mlx5_0/fw_ver", "16.35.2000\n");
      WritePort(copy, "class/infiniband/mlx5_0/ports/1");
      copy.Remove(file);
      auto devices = ReadInfiniBand(OpenRootDir(copy.path()), buffer);
      REQUIRE_FALSE(devices.ok());
      CHECK(devices.error().code == Errc::kNotFound);
    }
  }
  SECTION("a bad state or port name is an error") {
    tree.Write("class/infiniband/mlx5_0/ports/1/state", "ACTIVE\n");
    CHECK(ReadInfiniBand(sys, buffer).error().code == Errc::kParse);
    tree.Write("class/infiniband/mlx5_0/ports/1/state", "4: ACTIVE\n");
    WritePort(tree, "class/infiniband/mlx5_0/ports/one");
    CHECK_THAT(ReadInfiniBand(sys, buffer).error().detail, Catch::Contains("\"one\""));
  }
  SECTION("no class/infiniband") {
    TempTree empty;
    CHECK(ReadInfiniBand(OpenRootDir(empty.path()), buffer).error().code == Errc::kNotFound);
  }
}

TEST_CASE("ReadFibreChannel", "[sysfs]") {
  TempTree tree;
  RootDir sys = OpenRootDir(tree.path());
  std::string buffer;
  WriteFcHost(tree, "class/fc_host/host0");
  tree.Write("class/fc_host/host0/statistics/tx_frames", "0x1a\n");
  tree.Write("class/fc_host/host0/statistics/rx_words", "0xffffffffffffffff\n");
  tree.Write("class/fc_host/host0/statistics/reset_statistics", "");
  SECTION("attributes, the 0x of names cut; counters in hex") {
    auto hosts = ReadFibreChannel(sys, buffer);
    REQUIRE(hosts.ok());
    REQUIRE(hosts->size() == 1);
    const FibreChannelHost& host = (*hosts)[0];
    CHECK(host.name == "host0");
    CHECK(host.attributes[kFcSpeed] == "16 Gbit");
    CHECK(host.attributes[kFcPortName] == "21000024ff2b1234");
    CHECK(host.attributes[kFcPortId] == "010203");
    CHECK(host.attributes[kFcFabricName] == "0");
    CHECK(host.attributes[kFcSupportedSpeeds] == "4 Gbit, 8 Gbit, 16 Gbit, 32 Gbit");
    CHECK(host.counters[5] == 0x1a);  // tx_frames
    CHECK(host.counters[4] == UINT64_MAX);
    CHECK_FALSE(host.counters[0]);  // dumped_frames: absent
  }
  SECTION("an absent attribute is an error, not no data") {
    tree.Remove("class/fc_host/host0/symbolic_name");
    auto hosts = ReadFibreChannel(sys, buffer);
    REQUIRE_FALSE(hosts.ok());
    CHECK(hosts.error().code == Errc::kIo);
    CHECK_THAT(hosts.error().path, Catch::EndsWith("symbolic_name"));
  }
  SECTION("a counter that is not a number is an error") {
    tree.Write("class/fc_host/host0/statistics/nos_count", "lots\n");
    CHECK(ReadFibreChannel(sys, buffer).error().code == Errc::kParse);
  }
  SECTION("no statistics/ or no class/fc_host: kNotFound") {
    tree.Remove("class/fc_host/host0/statistics");
    CHECK(ReadFibreChannel(sys, buffer).error().code == Errc::kNotFound);
    tree.Remove("class");
    CHECK(ReadFibreChannel(sys, buffer).error().code == Errc::kNotFound);
  }
}

TEST_CASE("ReadBonding", "[sysfs]") {
  TempTree tree;
  RootDir sys = OpenRootDir(tree.path());
  std::string buffer;
  tree.Write("class/net/bonding_masters", "bond0 bond1 bond0\n");
  tree.Write("class/net/bond0/bonding/slaves", "eth0 eth1 eth2\n");
  tree.Write("class/net/bond0/lower_eth0/bonding_slave/mii_status", "up\n");
  tree.Write("class/net/bond0/lower_eth1/bonding_slave/mii_status", "down\n");
  tree.Write("class/net/bond0/slave_eth2/bonding_slave/mii_status", "up\n");  // before Linux 4.x
  tree.Write("class/net/bond1/bonding/slaves", "\n");
  SECTION("slaves and those up; a bond listed twice is one") {
    auto bonds = ReadBonding(sys, buffer);
    REQUIRE(bonds.ok());
    REQUIRE(bonds->size() == 2);
    CHECK((*bonds)[0].master == "bond0");
    CHECK((*bonds)[0].slaves == 3);
    CHECK((*bonds)[0].active == 2);
    CHECK((*bonds)[1].master == "bond1");
    CHECK((*bonds)[1].slaves == 0);
  }
  SECTION("a file the listing names is absent: kNotFound") {
    tree.Remove("class/net/bond0/slave_eth2");
    CHECK(ReadBonding(sys, buffer).error().code == Errc::kNotFound);
    tree.Remove("class/net/bonding_masters");
    CHECK(ReadBonding(sys, buffer).error().code == Errc::kNotFound);
  }
}
