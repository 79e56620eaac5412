// The collectors added on the registry (collectors/host/*.cpp), built by name
// on temporary trees: their families, flags, and what each does when its
// files are absent (node_exporter's behaviour there: NoData, nothing, or an
// error).

#include <catch2/catch.hpp>

#include "tests/unit/host/proc_tree.h"

using namespace vitals::collectors;
using namespace vitals::testing;  // ProcTree, Collect, FindFamily, Sample
using vitals::procfs::Errc;

TEST_CASE("Collectors with nothing on this host report NoData, as node_exporter's ErrNoData",
          "[collectors]") {
  ProcTree tree;
  for (std::string_view name : {"schedstat", "pressure", "udp_queues", "os"}) {
    CAPTURE(name);
    auto c = Collect(*tree.Make(name));
    REQUIRE_FALSE(c.result.ok());
    CHECK(c.result.error().code == Errc::kNoData);
    CHECK(c.families.empty());
  }
  SECTION("sockstat: nothing and success, as node_exporter") {
    auto c = Collect(*tree.Make("sockstat"));
    CHECK(c.result.ok());
    CHECK(c.families.empty());
  }
  SECTION("entropy, softnet, netstat, vmstat: an error, as node_exporter") {
    for (std::string_view name : {"entropy", "softnet", "netstat", "vmstat"}) {
      CAPTURE(name);
      auto c = Collect(*tree.Make(name));
      REQUIRE_FALSE(c.result.ok());
      CHECK(c.result.error().code == Errc::kNotFound);
    }
  }
}

TEST_CASE("schedstat, pressure, entropy, softnet", "[collectors]") {
  ProcTree tree;
  tree.Write("schedstat", "version 15\ncpu0 0 0 0 0 0 0 2500000000 1000000000 42\n");
  tree.Write("pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\n");
  tree.Write("pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=2\n"
                            "full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n");
  tree.Write("pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                                "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  tree.Write("sys/kernel/random/entropy_avail", "256\n");
  tree.Write("sys/kernel/random/poolsize", "256\n");
  tree.Write("net/softnet_stat", "0000000a 00000001 00000002 0 0 0 0 0 0\n"
                                 "0000000b 00000000 00000000 0 0 0 0 0 0\n");
  auto sched = Collect(*tree.Make("schedstat"));
  REQUIRE(sched.result.ok());
  CHECK(Sample(sched.families, "node_schedstat_running_seconds_total", {{"cpu", "0"}}) == 2.5);
  CHECK(Sample(sched.families, "node_schedstat_waiting_seconds_total", {{"cpu", "0"}}) == 1.0);
  CHECK(Sample(sched.families, "node_schedstat_timeslices_total", {{"cpu", "0"}}) == 42);

  auto psi = Collect(*tree.Make("pressure"));
  REQUIRE(psi.result.ok());
  CHECK(Sample(psi.families, "node_pressure_cpu_waiting_seconds_total") == 1.5);
  CHECK(Sample(psi.families, "node_pressure_io_stalled_seconds_total") == 1e-6);
  CHECK(psi.families.size() == 5);
  // Divided as node_exporter divides (by 1000 twice): 4345494 / 1e6 differs
  // in the last bit, and the parity test saw it.
  tree.Write("pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=2\n"
                            "full avg10=0.00 avg60=0.00 avg300=0.00 total=4345494\n");
  auto rounding = Collect(*tree.Make("pressure"));
  CHECK(Sample(rounding.families, "node_pressure_io_stalled_seconds_total") == 4345494 / 1000.0 / 1000.0);
  tree.Write("pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00 total=2\n");
  auto no_full = Collect(*tree.Make("pressure"));
  REQUIRE_FALSE(no_full.result.ok());
  CHECK(no_full.result.error().code == Errc::kParse);

  auto entropy = Collect(*tree.Make("entropy"));
  REQUIRE(entropy.result.ok());
  CHECK(Sample(entropy.families, "node_entropy_available_bits") == 256);

  auto softnet = Collect(*tree.Make("softnet"));
  REQUIRE(softnet.result.ok());
  CHECK(Sample(softnet.families, "node_softnet_processed_total", {{"cpu", "1"}}) == 11);
  CHECK(Sample(softnet.families, "node_softnet_times_squeezed_total", {{"cpu", "0"}}) == 2);
}

TEST_CASE("udp_queues and sockstat: an IP version that is absent is skipped", "[collectors]") {
  ProcTree tree;
  tree.Write("net/udp", "  sl  local_address rem_address   st tx_queue rx_queue tr\n"
                        " 1: 0100007F:9801 00000000:0000 07 00000002:00000900 00:00000000 00000000 0 0 1 2\n");
  tree.Write("net/sockstat", "sockets: used 18\nTCP: inuse 4 orphan 0 tw 2 alloc 5 mem 3\nFRAG: inuse 0 memory 7\n"
                             "NEW: inuse 1 odd 9\n");
  auto udp = Collect(*tree.Make("udp_queues"));
  REQUIRE(udp.result.ok());
  CHECK(Sample(udp.families, "node_udp_queues", {{"queue", "rx"}, {"ip", "v4"}}) == 0x900);
  CHECK(Sample(udp.families, "node_udp_queues", {{"queue", "tx"}, {"ip", "v4"}}) == 2);
  CHECK(SeriesOf(udp.families, "node_udp_queues") == 2);  // no v6 series

  auto sock = Collect(*tree.Make("sockstat"));
  REQUIRE(sock.result.ok());
  CHECK(Sample(sock.families, "node_sockstat_sockets_used") == 18);
  CHECK(Sample(sock.families, "node_sockstat_TCP_tw") == 2);
  CHECK(Sample(sock.families, "node_sockstat_TCP_mem_bytes") == 3 * 4096);  // pages of SystemInfo
  CHECK(Sample(sock.families, "node_sockstat_FRAG_memory") == 7);
  CHECK(Sample(sock.families, "node_sockstat_NEW_inuse") == 1);
  CHECK_FALSE(Sample(sock.families, "node_sockstat_NEW_odd"));  // a key node_exporter does not know
  CHECK(FindFamily(sock.families, "node_sockstat_TCP_alloc")->help ==
        "Number of TCP sockets in state alloc.");
}

TEST_CASE("vmstat and netstat: --collector.<name>.fields selects, values checked", "[collectors]") {
  ProcTree tree;
  tree.Write("vmstat", "nr_free_pages 12\npgfault 100\noom_kill 1\npgpgin 5\n");
  auto vm = Collect(*tree.Make("vmstat"));
  REQUIRE(vm.result.ok());
  CHECK(vm.families.size() == 3);  // the default: oom_kill, pgpg*, pswp*, pg*fault
  CHECK(FindFamily(vm.families, "node_vmstat_pgfault")->type == prometheus::MetricType::Untyped);
  CHECK(FindFamily(vm.families, "node_vmstat_pgfault")->help ==
        "/proc/vmstat information field pgfault.");
  tree.SetFlag("collector.vmstat.fields", "^nr_");
  auto nr = Collect(*tree.Make("vmstat"));
  REQUIRE(nr.result.ok());
  CHECK(nr.families.size() == 1);
  CHECK(Sample(nr.families, "node_vmstat_nr_free_pages") == 12);
  tree.Write("vmstat", "nr_free-pages 12\n");
  auto bad = Collect(*tree.Make("vmstat"));
  REQUIRE_FALSE(bad.result.ok());
  CHECK_THAT(bad.result.error().detail, Catch::Contains("nr_free-pages"));

  tree.Write("net/netstat", "TcpExt: SyncookiesSent ListenDrops\nTcpExt: 0 3\n");
  tree.Write("net/snmp", "Tcp: MaxConn CurrEstab\nTcp: -1 2\nIp: Forwarding DefaultTTL\nIp: 1 64\n");
  auto net = Collect(*tree.Make("netstat"));  // no snmp6: IPv6 off, not an error
  REQUIRE(net.result.ok());
  CHECK(Sample(net.families, "node_netstat_TcpExt_ListenDrops") == 3);
  CHECK(Sample(net.families, "node_netstat_Tcp_CurrEstab") == 2);
  CHECK(Sample(net.families, "node_netstat_Ip_Forwarding") == 1);
  CHECK_FALSE(Sample(net.families, "node_netstat_Tcp_MaxConn"));  // not in the default fields
  CHECK(FindFamily(net.families, "node_netstat_TcpExt_ListenDrops")->help ==
        "Statistic TcpExtListenDrops.");
  tree.Write("net/snmp6", "Ip6InOctets 7\nUdp6InErrors 1\n");
  auto six = Collect(*tree.Make("netstat"));
  REQUIRE(six.result.ok());
  CHECK(Sample(six.families, "node_netstat_Ip6_InOctets") == 7);
  // Every value must be a number, exported or not (node_exporter's rule).
  tree.Write("net/snmp", "Tcp: MaxConn CurrEstab\nTcp: x 2\n");
  auto garbled = Collect(*tree.Make("netstat"));
  REQUIRE_FALSE(garbled.result.ok());
  CHECK_THAT(garbled.result.error().detail, Catch::Contains("MaxConn"));
}

TEST_CASE("cpu: info, guest, isolated and throttles by flags and sysfs", "[collectors]") {
  ProcTree tree;
  tree.Write("stat", "cpu  1 1 1 1 1 1 1 1 1 1\ncpu0 100 0 0 400 0 0 0 0 50 0\n"
                     "intr 1\nctxt 1\nbtime 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n");
  tree.Write("cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nphysical id\t: 0\ncore id\t\t: 0\n"
                        "flags\t\t: fpu avx2 sse4_2\nbugs\t\t: spectre_v1 mds\n");
  SECTION("by default: seconds and guest only") {
    auto c = Collect(*tree.Make("cpu"));
    REQUIRE(c.result.ok());
    CHECK(c.families.size() == 2);
    CHECK(Sample(c.families, "node_cpu_guest_seconds_total", {{"cpu", "0"}, {"mode", "user"}}) == 0.5);
  }
  SECTION("--no-collector.cpu.guest drops guest; --collector.cpu.info adds info") {
    tree.SetFlag("collector.cpu.guest", "false");
    tree.SetFlag("collector.cpu.info", "true");
    auto c = Collect(*tree.Make("cpu"));
    REQUIRE(c.result.ok());
    CHECK_FALSE(FindFamily(c.families, "node_cpu_guest_seconds_total"));
    CHECK(SeriesOf(c.families, "node_cpu_info") == 1);
    CHECK_FALSE(FindFamily(c.families, "node_cpu_flag_info"));  // no include regex
  }
  SECTION("an include regex turns info on and filters the first CPU's flags") {
    tree.SetFlag("collector.cpu.info.flags-include", "^(avx2|sse4_2)$");
    auto c = Collect(*tree.Make("cpu"));
    REQUIRE(c.result.ok());
    CHECK(SeriesOf(c.families, "node_cpu_info") == 1);
    CHECK(Sample(c.families, "node_cpu_flag_info", {{"flag", "avx2"}}) == 1);
    CHECK(SeriesOf(c.families, "node_cpu_flag_info") == 2);
    CHECK_FALSE(FindFamily(c.families, "node_cpu_bug_info"));
  }
  SECTION("isolated CPUs, read at start; throttles, read each scrape") {
    tree.Write("sysfs/devices/system/cpu/isolated", "1,3\n");
    tree.Write("sysfs/devices/system/cpu/cpu0/topology/physical_package_id", "0\n");
    tree.Write("sysfs/devices/system/cpu/cpu0/topology/core_id", "0\n");
    auto cpu = tree.Make("cpu");
    tree.Write("sysfs/devices/system/cpu/cpu0/thermal_throttle/core_throttle_count", "9\n");
    auto c = Collect(*cpu);
    REQUIRE(c.result.ok());
    CHECK(Sample(c.families, "node_cpu_isolated", {{"cpu", "3"}}) == 1);
    CHECK(SeriesOf(c.families, "node_cpu_isolated") == 2);
    CHECK(Sample(c.families, "node_cpu_core_throttles_total", {{"package", "0"}, {"core", "0"}}) == 9);
    CHECK_FALSE(FindFamily(c.families, "node_cpu_package_throttles_total"));
  }
  SECTION("an isolated list that is garbage fails the collector, every scrape") {
    tree.Write("sysfs/devices/system/cpu/isolated", "one\n");
    auto c = Collect(*tree.Make("cpu"));
    REQUIRE_FALSE(c.result.ok());
    CHECK(c.result.error().path == "devices/system/cpu/isolated");
  }
}

TEST_CASE("stat: --collector.stat.softirq", "[collectors]") {
  ProcTree tree;
  tree.Write("stat", "cpu  1 1 1 1\nintr 1\nctxt 1\nbtime 1\nprocesses 1\nprocs_running 1\n"
                     "procs_blocked 0\nsoftirq 55 1 2 3 4 5 6 7 8 9 10\n");
  CHECK_FALSE(FindFamily(Collect(*tree.Make("stat")).families, "node_softirqs_total"));
  tree.SetFlag("collector.stat.softirq", "true");
  auto c = Collect(*tree.Make("stat"));
  REQUIRE(c.result.ok());
  CHECK(SeriesOf(c.families, "node_softirqs_total") == 10);
  CHECK(Sample(c.families, "node_softirqs_total", {{"vector", "block_iopoll"}}) == 6);
  CHECK(Sample(c.families, "node_softirqs_total", {{"vector", "rcu"}}) == 10);
}

TEST_CASE("os, selinux and time read the trees they are given", "[collectors]") {
  ProcTree tree;
  tree.Write("rootfs/usr/lib/os-release", "NAME=Arch\nID=arch\nVERSION_ID=rolling\n");
  auto os = Collect(*tree.Make("os"));
  REQUIRE(os.result.ok());
  CHECK(SeriesOf(os.families, "node_os_info") == 1);
  CHECK_FALSE(FindFamily(os.families, "node_os_version"));  // "rolling" has no major.minor
  tree.Write("rootfs/etc/os-release", "NAME=Debian\nID=debian\nVERSION_ID=\"12.4.1\"\n");
  auto debian = Collect(*tree.Make("os"));
  CHECK(Sample(debian.families, "node_os_version", {{"id", "debian"}, {"id_like", ""}, {"name", "Debian"}}) == 12.4);

  auto off = Collect(*tree.Make("selinux"));
  REQUIRE(off.result.ok());
  CHECK(off.families.size() == 1);
  CHECK(Sample(off.families, "node_selinux_enabled") == 0);
  tree.Write("sysfs/fs/selinux/enforce", "0");
  tree.Write("rootfs/etc/selinux/config", "SELINUX=enforcing\n");
  auto on = Collect(*tree.Make("selinux"));
  CHECK(Sample(on.families, "node_selinux_enabled") == 1);
  CHECK(Sample(on.families, "node_selinux_current_mode") == 0);
  CHECK(Sample(on.families, "node_selinux_config_mode") == 1);

  tree.Write("sysfs/devices/system/clocksource/clocksource0/available_clocksource", "tsc hpet\n");
  tree.Write("sysfs/devices/system/clocksource/clocksource0/current_clocksource", "hpet\n");
  auto time = Collect(*tree.Make("time"));
  REQUIRE(time.result.ok());
  CHECK(SeriesOf(time.families, "node_time_clocksource_available_info") == 2);
  CHECK(Sample(time.families, "node_time_clocksource_current_info",
               {{"device", "0"}, {"clocksource", "hpet"}}) == 1);
  CHECK(*Sample(time.families, "node_time_seconds") > 1.7e9);
  CHECK(SeriesOf(time.families, "node_time_zone_offset_seconds") == 1);
}

TEST_CASE("uname and timex ask the running kernel", "[collectors]") {
  ProcTree tree;
  auto uname = Collect(*tree.Make("uname"));
  REQUIRE(uname.result.ok());
  REQUIRE(SeriesOf(uname.families, "node_uname_info") == 1);
  CHECK(LabelsOf(FindFamily(uname.families, "node_uname_info")->metric[0])["sysname"] == "Linux");
  auto timex = Collect(*tree.Make("timex"));
  REQUIRE(timex.result.ok());
  CHECK(timex.families.size() == 17);
  CHECK(*Sample(timex.families, "node_timex_tick_seconds") > 0);
}
