// collectors/sysfs/attribute.h and procfs/go_text.h: Go's text
// and number rules as node_exporter applies them to sysfs attributes, on
// inline strings and a temporary tree.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cmath>
#include <limits>
#include <string>

#include "collectors/procfs/go_text.h"
#include "collectors/sysfs/attribute.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::sysfs;
using namespace vitals::procfs::detail;
using vitals::procfs::Errc;
using vitals::procfs::RootDir;
using vitals::testing::OpenRootDir;
using vitals::testing::TempTree;

TEST_CASE("GoTrimSpace: ASCII and Unicode white space, as Go's strings.TrimSpace", "[sysfs]") {
  CHECK(GoTrimSpace(" \t\n\v\f\rx y\r\n") == "x y");
  CHECK(GoTrimSpace("1.0\xc2\xa0\n") == "1.0");                 // U+00A0 no-break space
  CHECK(GoTrimSpace("\xe3\x80\x80" "a\xc2\x85") == "a");        // U+3000, U+0085
  CHECK(GoTrimSpace("\xe2\x80\x80" "a\xe2\x80\x8a") == "a");    // U+2000, U+200A
  CHECK(GoTrimSpace("\xe2\x80\xaf" "a\xe2\x81\x9f") == "a");    // U+202F, U+205F
  CHECK(GoTrimSpace("\xe2\x80\x8b" "a") == "\xe2\x80\x8b" "a");  // U+200B is not white space
  CHECK(GoTrimSpace("a\xa0") == "a\xa0");                       // a lone continuation byte
  CHECK(GoTrimSpace("a\xc2") == "a\xc2");
  CHECK(GoTrimSpace("   ").empty());
  CHECK(GoTrimSpace("").empty());
}

TEST_CASE("GoParseUint and GoParseInt: Go's strconv, base 10 and base 0", "[sysfs]") {
  SECTION("base 10: digits only") {
    CHECK(GoParseUint("0", 10) == 0u);
    CHECK(GoParseUint("007", 10) == 7u);
    CHECK(GoParseUint("18446744073709551615", 10) == std::numeric_limits<std::uint64_t>::max());
    for (std::string_view bad : {"18446744073709551616", "", "+1", "-1", "1_000", " 1", "1 ",
                                 "0x10", "1.0", "1e3"}) {
      CAPTURE(bad);
      CHECK_FALSE(GoParseUint(bad, 10));
    }
    CHECK(GoParseInt("+45000", 10) == 45000);
    CHECK(GoParseInt("-2500", 10) == -2500);
    CHECK(GoParseInt("-9223372036854775808", 10) == std::numeric_limits<std::int64_t>::min());
    CHECK(GoParseInt("9223372036854775807", 10) == std::numeric_limits<std::int64_t>::max());
    for (std::string_view bad : {"9223372036854775808", "-9223372036854775809", "-", "+", "--1",
                                 "+-1", ""}) {
      CAPTURE(bad);
      CHECK_FALSE(GoParseInt(bad, 10));
    }
  }
  SECTION("base 0: prefixes and '_' between digits, as Go's integer literals") {
    CHECK(GoParseUint("0x1F", 0) == 31u);
    CHECK(GoParseUint("0X1f", 0) == 31u);
    CHECK(GoParseUint("0o17", 0) == 15u);
    CHECK(GoParseUint("017", 0) == 15u);
    CHECK(GoParseUint("0b101", 0) == 5u);
    CHECK(GoParseUint("0", 0) == 0u);
    CHECK(GoParseUint("1_000", 0) == 1000u);
    CHECK(GoParseUint("0x_1f", 0) == 31u);
    CHECK(GoParseUint("0_17", 0) == 15u);
    CHECK(GoParseInt("-0x10", 0) == -16);
    CHECK(GoParseInt("+1_0", 0) == 10);
    for (std::string_view bad : {"_1", "1__0", "1_", "08", "0x", "0b2", "0o8", "0x1g", "0xffffffffffffffff1"}) {
      CAPTURE(bad);
      CHECK_FALSE(GoParseUint(bad, 0));
    }
  }
}

TEST_CASE("GoParseFloat: Go's strconv.ParseFloat", "[sysfs]") {
  auto is = [](std::string_view text, double want) {
    CAPTURE(text);
    auto got = GoParseFloat(text);
    REQUIRE(got);
    CHECK(*got == want);
  };
  is("1", 1);
  is("-1.5", -1.5);
  is("+2", 2);
  is(".5", 0.5);
  is("5.", 5);
  is("1e3", 1000);
  is("1E-3", 0.001);
  is("2.5e6", 2500000);
  is("1_000.5", 1000.5);
  is("1_234", 1234);
  is("0x1.8p3", 12);
  is("0X1p-2", 0.25);
  is("0x_1p0", 1);
  is("4294968000", 4294968000.0);
  is("12345678901234567890", 12345678901234567890.0);
  is("123456789012", 123456789012.0);
  is("inf", std::numeric_limits<double>::infinity());
  is("-Inf", -std::numeric_limits<double>::infinity());
  is("+INFINITY", std::numeric_limits<double>::infinity());
  auto nan = GoParseFloat("NaN");
  REQUIRE(nan);
  CHECK(std::isnan(*nan));
  SECTION("an underflow is zero, with its sign; an overflow is an error (ErrRange)") {
    is("1e-400", 0);
    auto negative = GoParseFloat("-1e-400");
    REQUIRE(negative);
    CHECK(std::signbit(*negative));
    is("0x1p-1080", 0);
    is("4e-320", 4e-320);  // subnormal
    CHECK_FALSE(GoParseFloat("1e400"));
    CHECK_FALSE(GoParseFloat("-1e400"));
    CHECK_FALSE(GoParseFloat("0x1p1100"));
  }
  for (std::string_view bad : {"", ".", "e5", "1e", "1e+", " 1", "1 ", "0x", "0x1.8", "1_.5", "1._5",
                               "_1", "1__0", "infin", "+nan", "nan1", "N/A", "95.0%", "1.2.3",
                               "0x1p", "--1"}) {
    CAPTURE(bad);
    CHECK_FALSE(GoParseFloat(bad));
  }
}

TEST_CASE("Reading attributes: procfs' SysReadFile and ReadUintFromFile", "[sysfs]") {
  TempTree tree;
  const RootDir sys = OpenRootDir(tree.path());
  std::string buffer;
  SECTION("the first 128 bytes, then trimmed") {
    tree.Write("long", std::string(127, 'x') + " and what comes after the 128th byte\n");
    auto text = ReadAttribute(sys, "long", buffer);
    REQUIRE(text.ok());
    CHECK(*text == std::string(127, 'x'));
    tree.Write("padded", "Samsung SSD 970 EVO Plus 1TB            \n");
    CHECK(*ReadAttribute(sys, "padded", buffer) == "Samsung SSD 970 EVO Plus 1TB");
  }
  SECTION("numbers: the whole file, trimmed, base 10; a kParse error naming the file otherwise") {
    tree.Write("n", " 4294967301\n");
    CHECK(*ReadUintAttribute(sys, "n", buffer) == 4294967301u);
    tree.Write("i", "-2500\n");
    CHECK(*ReadIntAttribute(sys, "i", buffer) == -2500);
    tree.Write("bad", "42x\n");
    auto bad = ReadUintAttribute(sys, "bad", buffer);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == Errc::kParse);
    CHECK(bad.error().path == (tree.path() / "bad").string());  // the full path
    CHECK_THAT(bad.error().detail, Catch::Contains("\"42x\""));
    CHECK(ReadIntAttribute(sys, "bad", buffer).error().code == Errc::kParse);
    CHECK(ReadUintAttribute(sys, "i", buffer).error().code == Errc::kParse);
  }
  SECTION("what cannot be read keeps the reader's error") {
    CHECK(ReadAttribute(sys, "missing", buffer).error().code == Errc::kNotFound);
    tree.Mkdir("dir");
    CHECK(ReadAttribute(sys, "dir", buffer).error().code == Errc::kIo);
    REQUIRE(::mkfifo((tree.path() / "fifo").c_str(), 0600) == 0);
    CHECK(ReadAttribute(sys, "fifo", buffer).error().code == Errc::kIo);  // never blocks
  }
}

TEST_CASE("NumberedEntries: filepath.Glob(dir/prefix[0-9]*)", "[sysfs]") {
  TempTree tree;
  const RootDir sys = OpenRootDir(tree.path());
  for (std::string_view name : {"cpu0", "cpu12", "cpu1x", "cpufreq", "cpu", "cpuidle", "node0"}) {
    tree.Mkdir("devices/system/cpu/" + std::string(name));
  }
  auto cpus = NumberedEntries(sys, "devices/system/cpu", "cpu");
  REQUIRE(cpus.ok());
  CHECK(*cpus == std::vector<std::string>{"cpu0", "cpu12", "cpu1x"});
  auto none = NumberedEntries(sys, "class/thermal", "thermal_zone");
  REQUIRE(none.ok());
  CHECK(none->empty());
  tree.Write("class/file", "not a directory\n");
  auto file = NumberedEntries(sys, "class/file", "x");
  REQUIRE(file.ok());
  CHECK(file->empty());
}
