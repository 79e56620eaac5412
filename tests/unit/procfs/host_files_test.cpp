// The /proc files of node_exporter's vmstat, pressure, schedstat, udp_queues,
// sockstat, softnet, netstat and cpu (cpuinfo) collectors, on inline text.

#include <catch2/catch.hpp>

#include <string>

#include "collectors/procfs/cpuinfo.h"
#include "collectors/procfs/net_snmp.h"
#include "collectors/procfs/net_sockstat.h"
#include "collectors/procfs/net_softnet.h"
#include "collectors/procfs/net_udp.h"
#include "collectors/procfs/pressure.h"
#include "collectors/procfs/schedstat.h"
#include "collectors/procfs/vmstat.h"

using namespace vitals::procfs;

TEST_CASE("ParseVmstat", "[procfs]") {
  SECTION("name value lines, values past 2^32 and 2^53 kept as doubles") {
    auto v = ParseVmstat("nr_free_pages 3051437\npgfault 18446744073709551615\noom_kill 0");
    REQUIRE(v.ok());
    REQUIRE(v->size() == 3);
    CHECK((*v)[0].name == "nr_free_pages");
    CHECK((*v)[0].value == 3051437);
    CHECK((*v)[1].value == 18446744073709551615.0);
    CHECK((*v)[2].name == "oom_kill");  // no trailing newline
  }
  SECTION("a line without a number is an error naming it") {
    for (std::string_view bad : {"pgfault\n", "pgfault x\n", "pgfault 12kB\n", "pgfault nan\n"}) {
      auto v = ParseVmstat(std::string("nr_free_pages 1\n") + std::string(bad));
      REQUIRE_FALSE(v.ok());
      CHECK(v.error().code == Errc::kParse);
      CHECK_THAT(v.error().detail, Catch::Contains("line 2"));
    }
  }
  SECTION("blank lines are skipped") {
    auto v = ParseVmstat("\n  \npgfault 1\n");
    REQUIRE(v.ok());
    CHECK(v->size() == 1);
  }
}

TEST_CASE("ParsePsi", "[procfs]") {
  SECTION("some and full") {
    auto p = ParsePsi("io", "some avg10=0.02 avg60=0.06 avg300=0.01 total=5997598\n"
                            "full avg10=0.00 avg60=0.00 avg300=0.00 total=3069127\n");
    REQUIRE(p.ok());
    REQUIRE(p->some);
    REQUIRE(p->full);
    CHECK(p->some->total == 5997598);
    CHECK(p->some->avg60 == 0.06);
    CHECK(p->full->total == 3069127);
  }
  SECTION("cpu before Linux 5.13 has no full line") {
    auto p = ParsePsi("cpu", "some avg10=1.00 avg60=0.50 avg300=0.10 total=18446744073709551615\n");
    REQUIRE(p.ok());
    CHECK(p->some->total == 18446744073709551615ull);
    CHECK_FALSE(p->full);
  }
  SECTION("a kind a later kernel adds is ignored") {
    auto p = ParsePsi("cpu", "other x=1\nsome avg10=0.00 avg60=0.00 avg300=0.00 total=7\n");
    REQUIRE(p.ok());
    CHECK(p->some->total == 7);
  }
  SECTION("a garbled line is an error naming the file") {
    for (std::string_view bad : {"some avg10=0.00 avg60=0.00 total=7", "some avg10=x avg60=0 avg300=0 total=7",
                                 "full avg10=0.00 avg60=0.00 avg300=0.00 total=-1", "some"}) {
      auto p = ParsePsi("memory", bad);
      REQUIRE_FALSE(p.ok());
      CHECK(p.error().path == "pressure/memory");
    }
  }
}

TEST_CASE("ParseSchedstat", "[procfs]") {
  SECTION("version 15: the 7th to 9th numbers of each cpu line; domains skipped") {
    auto s = ParseSchedstat(
        "version 15\ntimestamp 4298034891\n"
        "cpu0 0 0 0 0 0 0 5318474520198 912034817723 4821937\n"
        "domain0 00000003 1893 1890 2 1 0 0 0 1890\n"
        "cpu12 0 0 0 0 0 0 1 2 3 99\n");
    REQUIRE(s.ok());
    REQUIRE(s->size() == 2);
    CHECK((*s)[0].cpu == "0");
    CHECK((*s)[0].running_ns == 5318474520198ull);
    CHECK((*s)[0].waiting_ns == 912034817723ull);
    CHECK((*s)[0].timeslices == 4821937);
    CHECK((*s)[1].cpu == "12");
    CHECK((*s)[1].timeslices == 3);
  }
  SECTION("a short or garbled cpu line is an error, not a CPU left out") {
    for (std::string_view bad : {"cpu0 0 0 0 0 0 0 1 2\n", "cpuX 0 0 0 0 0 0 1 2 3\n", "cpu0 0 0 0 0 0 0 1 -2 3\n"}) {
      auto s = ParseSchedstat(bad);
      REQUIRE_FALSE(s.ok());
      CHECK(s.error().path == "schedstat");
    }
  }
}

TEST_CASE("ParseUdpQueues", "[procfs]") {
  constexpr std::string_view kHeader =
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
      "timeout inode ref pointer drops\n";
  SECTION("tx and rx summed over the sockets, in hex") {
    auto q = ParseUdpQueues("net/udp", std::string(kHeader) +
        " 8341: 0100007F:9801 00000000:0000 07 00000000:00000900 00:00000000 00000000     0        0 575430 2 00000000ce998b6d 0\n"
        " 8342: 0100007F:9802 00000000:0000 07 00000010:FFFFFFFF 00:00000000 00000000     0        0 575431 2 00000000ce998b6e 0\n");
    REQUIRE(q.ok());
    CHECK(q->sockets == 2);
    CHECK(q->tx_bytes == 0x10);
    CHECK(q->rx_bytes == 0x900 + 0xFFFFFFFFull);
  }
  SECTION("only the header: no sockets, zero queued (a real zero)") {
    auto q = ParseUdpQueues("net/udp6", kHeader);
    REQUIRE(q.ok());
    CHECK(q->sockets == 0);
  }
  SECTION("no header, or a short or garbled line: an error") {
    CHECK_FALSE(ParseUdpQueues("net/udp", "").ok());
    CHECK_FALSE(ParseUdpQueues("net/udp", std::string(kHeader) + " 1: 0:0 0:0 07 00000000\n").ok());
    auto q = ParseUdpQueues("net/udp", std::string(kHeader) +
        " 1: 0100007F:9801 00000000:0000 07 0000000g:00000900 00:00000000 00000000 0 0 5\n");
    REQUIRE_FALSE(q.ok());
    CHECK(q.error().path == "net/udp");
  }
}

TEST_CASE("ParseSockstat", "[procfs]") {
  SECTION("sockets used and per protocol key value pairs") {
    auto s = ParseSockstat("net/sockstat",
                           "sockets: used 18\nTCP: inuse 4 orphan 0 tw 2 alloc 5 mem 28\n"
                           "UDP: inuse 1 mem 3\nFRAG: inuse 0 memory 0\n");
    REQUIRE(s.ok());
    CHECK(s->sockets_used == 18);
    REQUIRE(s->protocols.size() == 3);
    CHECK(s->protocols[0].name == "TCP");
    REQUIRE(s->protocols[0].values.size() == 5);
    CHECK(s->protocols[0].values[2].key == "tw");
    CHECK(s->protocols[0].values[2].value == 2);
    CHECK(s->protocols[2].values[1].key == "memory");
  }
  SECTION("sockstat6 has no sockets line") {
    auto s = ParseSockstat("net/sockstat6", "TCP6: inuse 0\nUDP6: inuse 1\n");
    REQUIRE(s.ok());
    CHECK_FALSE(s->sockets_used);
    CHECK(s->protocols.size() == 2);
  }
  SECTION("an odd pair, a missing colon or a bad number: an error") {
    for (std::string_view bad : {"TCP: inuse\n", "TCP inuse 4\n", "TCP: inuse x\n", "TCP:\n"}) {
      auto s = ParseSockstat("net/sockstat", bad);
      REQUIRE_FALSE(s.ok());
      CHECK(s.error().path == "net/sockstat");
    }
  }
}

TEST_CASE("ParseSoftnet", "[procfs]") {
  SECTION("the first three hex columns of each line") {
    auto s = ParseSoftnet(
        "0017c7c2 00000001 0000000a 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
        "001c1a3d 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n");
    REQUIRE(s.ok());
    REQUIRE(s->size() == 2);
    CHECK((*s)[0].processed == 0x17c7c2);
    CHECK((*s)[0].dropped == 1);
    CHECK((*s)[0].time_squeezed == 10);
    CHECK((*s)[1].processed == 0x1c1a3d);
  }
  SECTION("fewer than 9 columns, or not hex: an error") {
    CHECK_FALSE(ParseSoftnet("00000001 00000000 00000000\n").ok());
    CHECK_FALSE(ParseSoftnet("0000000x 00000000 00000000 0 0 0 0 0 0\n").ok());
    CHECK_FALSE(ParseSoftnet("100000000 00000000 00000000 0 0 0 0 0 0\n").ok());  // past 32 bits
  }
}

TEST_CASE("ParseSnmpPairs and ParseSnmp6", "[procfs]") {
  SECTION("values are matched to names by the header") {
    auto c = ParseSnmpPairs("net/snmp", "Tcp: RtoAlgorithm MaxConn ActiveOpens\nTcp: 1 -1 104005\n"
                                        "Udp: InDatagrams NoPorts\nUdp: 32 0\n");
    REQUIRE(c.ok());
    REQUIRE(c->size() == 5);
    CHECK((*c)[1].protocol == "Tcp");
    CHECK((*c)[1].name == "MaxConn");
    CHECK((*c)[1].value == "-1");
    CHECK((*c)[4].protocol == "Udp");
    CHECK((*c)[4].name == "NoPorts");
  }
  SECTION("a value line of another protocol, another column count, or none: an error") {
    for (std::string_view bad : {"Tcp: A B\nUdp: 1 2\n", "Tcp: A B\nTcp: 1\n", "Tcp: A B\nTcp: 1 2 3\n",
                                 "Tcp: A B\n", "Tcp A B\nTcp 1 2\n"}) {
      auto c = ParseSnmpPairs("net/netstat", bad);
      REQUIRE_FALSE(c.ok());
      CHECK(c.error().path == "net/netstat");
    }
  }
  SECTION("snmp6: the protocol ends at the first '6'") {
    auto c = ParseSnmp6("Ip6InReceives                   \t12\nIcmp6InMsgs 1\nUdpLite6InErrors 0\n"
                        "NoSix 3\nIp6Lonely\n");
    REQUIRE(c.ok());
    REQUIRE(c->size() == 3);
    CHECK((*c)[0].protocol == "Ip6");
    CHECK((*c)[0].name == "InReceives");
    CHECK((*c)[0].value == "12");
    CHECK((*c)[2].protocol == "UdpLite6");
  }
}

TEST_CASE("ParseCpuInfo", "[procfs]") {
  constexpr std::string_view kTwo =
      "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\n"
      "model name\t: AMD EPYC: 4th gen\nstepping\t: 1\nmicrocode\t: 0x1000065\n"
      "cpu MHz\t\t: 2596.128\ncache size\t: 1024 KB\nphysical id\t: 0\ncore id\t\t: 0\n"
      "flags\t\t: fpu sse4_2 avx2\nbugs\t\t: spectre_v1 srso\npower management:\n\n"
      "processor\t: 1\nvendor_id\t: AuthenticAMD\nphysical id\t: 0\ncore id\t\t: 1\n";
  SECTION("per processor, the values after \": \" kept whole") {
    auto c = ParseCpuInfo(kTwo);
    REQUIRE(c.ok());
    REQUIRE(c->size() == 2);
    CHECK((*c)[0].processor == "0");
    CHECK((*c)[0].model == "2");
    CHECK((*c)[0].model_name == "AMD EPYC: 4th gen");
    CHECK((*c)[0].cache_size == "1024 KB");
    CHECK((*c)[0].flags == "fpu sse4_2 avx2");
    CHECK((*c)[0].bugs == "spectre_v1 srso");
    CHECK((*c)[1].core_id == "1");
    CHECK((*c)[1].model.empty());
  }
  SECTION("not starting with a processor, or a processor that is no number: an error") {
    CHECK_FALSE(ParseCpuInfo("vendor_id\t: AuthenticAMD\nprocessor\t: 0\n").ok());
    CHECK_FALSE(ParseCpuInfo("processor\t: x\n").ok());
    CHECK_FALSE(ParseCpuInfo("").ok());
    CHECK_FALSE(ParseCpuInfo("Processor\t: ARMv7\n").ok());  // another layout
  }
}
