// OpenZFS kstats under /proc/spl/kstat/zfs (collectors/procfs/spl_kstat.h).

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "collectors/procfs/spl_kstat.h"

using namespace vitals::procfs;

TEST_CASE("ParseKstatNamed", "[procfs]") {
  std::vector<KstatValue> out;
  SECTION("uint64 statistics after the column line; other types skipped") {
    REQUIRE(ParseKstatNamed("arcstats",
                            "13 1 0x01 3 816 5214787391 73405258558961\n"
                            "name                            type data\n"
                            "hits                            4    8772612\n"
                            "memory_available_bytes          3    -12345\n"
                            "c_max                           4    18446744073709551615\n"
                            "short 4\n",
                            out)
                .ok());
    REQUIRE(out.size() == 2);
    CHECK(out[0].name == "hits");
    CHECK(out[0].value == 8772612);
    CHECK(out[1].value == 18446744073709551615ULL);
  }
  SECTION("objset: the dataset name applies to the lines after it") {
    REQUIRE(ParseKstatNamed("tank/objset-0x36",
                            "49 1 0x01 7 2160 1 2\nname type data\nwrites 4 1\n"
                            "dataset_name 7 tank/home\nreads 4 3\n",
                            out)
                .ok());
    REQUIRE(out.size() == 2);
    CHECK(out[0].dataset.empty());
    CHECK(out[1].dataset == "tank/home");
  }
  SECTION("no column line, or a uint64 that is not one, is an error") {
    auto none = ParseKstatNamed("fm", "hits 4 1\n", out);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().path == "fm");
    auto bad = ParseKstatNamed("fm", "name type data\nhits 4 -1\n", out);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().detail, Catch::Contains("hits"));
    CHECK_FALSE(ParseKstatNamed("fm", "", out).ok());
  }
}

TEST_CASE("ParseKstatIo and ParseKstatPoolState", "[procfs]") {
  std::vector<KstatValue> out;
  const std::string columns =
      "12 3 0x00 1 80 2225326830828 32953449986978\n"
      "nread    nwritten reads    writes   wtime    wlentime wupdate  rtime    rlentime rupdate  "
      "wcnt     rcnt\n";
  const std::string thirteen = columns + "1 2 3 4 5 6 7 8 9 10 11 12 13\n";  // the names view it
  REQUIRE(ParseKstatIo("tank/io", thirteen, out).ok());
  REQUIRE(out.size() == 12);  // a value past the columns is ignored
  CHECK(out[0].name == "nread");
  CHECK(out[11].value == 12);
  CHECK(ParseKstatIo("tank/io", "no columns here\n", out).ok());
  CHECK(out.empty());
  CHECK_FALSE(ParseKstatIo("tank/io", columns + "1 2 3\n", out).ok());
  CHECK_FALSE(ParseKstatIo("tank/io", columns + "1 2 3 4 5 6 7 8 9 10 11 x\n", out).ok());

  CHECK(ParseKstatPoolState("ONLINE\n") == "online");
  CHECK(ParseKstatPoolState("DEGRADED\r\nextra\n") == "degraded");
  CHECK(ParseKstatPoolState("").empty());
}
