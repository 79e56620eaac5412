// /proc/net/rpc/nfs and /proc/net/rpc/nfsd (collectors/procfs/net_rpc.h),
// checked as prometheus/procfs 0.8.0 checks them.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "collectors/procfs/net_rpc.h"

using namespace vitals::procfs;

namespace {

// "procN <count> 0 1 2 ..." with `count` values.
std::string Procs(const std::string& key, int count, std::uint64_t first = 0) {
  std::string line = key + " " + std::to_string(count);
  for (int i = 0; i < count; ++i) {
    line += " " + std::to_string(first + static_cast<std::uint64_t>(i));
  }
  return line + "\n";
}

}  // namespace

TEST_CASE("ParseNfsClientStats", "[procfs]") {
  SECTION("every group, values past 2^32, a proc4 longer than procfs knows") {
    auto r = ParseNfsClientStats("net 18628 0 18628 6\nrpc 4329785 2 4338291\n" +
                                 Procs("proc2", 18) + Procs("proc3", 22, 5000000000) +
                                 Procs("proc4", 69, 100));
    REQUIRE(r.ok());
    CHECK(r->network.tcp == 18628);
    CHECK(r->network.tcp_connections == 6);
    CHECK(r->rpc_retransmissions == 2);
    CHECK(r->v2[17] == 17);
    CHECK(r->v3[0] == 5000000000);
    CHECK(r->v3[21] == 5000000021);
    CHECK(r->v4[58] == 158);  // the 59th value; the other 10 are ignored
  }
  SECTION("a short proc4 (older kernels) leaves the rest 0; absent groups are 0") {
    auto r = ParseNfsClientStats(Procs("proc4", 3, 7));
    REQUIRE(r.ok());
    CHECK(r->v4[2] == 9);
    CHECK(r->v4[3] == 0);
    CHECK(r->network.packets == 0);
    CHECK(r->v3[1] == 0);
  }
  SECTION("an empty file is all zeros") { CHECK(ParseNfsClientStats("").ok()); }
  SECTION("errors name the line") {
    for (const std::string& bad : std::vector<std::string>{"net 1 2 3\n",                 // 4 values
                            "rpc 1 2 3 4\n",               // 3 values
                            "net 1 2 3 x\n",               // not a number
                            "net 1 2 3 -4\n",              // no sign
                            "net 1 2 3 18446744073709551616\n",  // past 2^64
                            "\n",                          // a key and a value needed
                            "rpc\n",
                            "proc5 1 0\n",                 // unknown key
                            Procs("proc3", 21),            // at least 22
                            "proc2 18 1 2\n",              // count does not match
                            "proc4 2 1\n"}) {
      CAPTURE(bad);
      auto r = ParseNfsClientStats(bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK(r.error().path == "net/rpc/nfs");
    }
  }
}

TEST_CASE("ParseNfsServerStats", "[procfs]") {
  const std::string file =
      "rc 0 6 18622\nfh 1 0 0 0 0\nio 157286400 72864\n"
      "th 8 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000\n"
      "ra 32 1 2 0 0 0 0 0 0 0 0 15\nnet 18628 0 18628 6\nrpc 18628 0 1 2 3\n" +
      Procs("proc2", 18) + Procs("proc3", 22) + "proc4 2 2 10853\n" + Procs("proc4ops", 72, 1);
  SECTION("every group") {
    auto r = ParseNfsServerStats(file);
    REQUIRE(r.ok());
    CHECK(r->reply_cache_nocache == 18622);
    CHECK(r->file_handles_stale == 1);
    CHECK(r->io_read == 157286400);
    CHECK(r->threads == 8);  // the histogram after the second value is not read
    CHECK(r->read_ahead_cache_size == 32);
    CHECK(r->read_ahead_not_found == 15);
    CHECK(r->rpc_bad_format == 1);
    CHECK(r->rpc_bad_client == 3);
    CHECK(r->v4_ops[0] == 1);
    CHECK(r->v4_ops[37] == 38);
  }
  SECTION("a kernel without the ra line (5.x) reads it as 0") {
    auto r = ParseNfsServerStats("th 4 0\n");
    REQUIRE(r.ok());
    CHECK(r->threads == 4);
    CHECK(r->read_ahead_cache_size == 0);
  }
  SECTION("errors") {
    for (const std::string& bad : std::vector<std::string>{"th 8\n",                    // needs two values
                            "ra 32 1 2\n",               // 12 values
                            "proc4 3 1 2 3\n",           // exactly 2
                            Procs("proc4ops", 38),       // at least 39
                            "rc 1 2 3\n\n",              // an empty line
                            "wdeleg_getattr 0\n",        // unknown to procfs 0.8.0
                            "fh 0 0 0 0\n"}) {
      CAPTURE(bad);
      auto r = ParseNfsServerStats(bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().path == "net/rpc/nfsd");
    }
  }
}
