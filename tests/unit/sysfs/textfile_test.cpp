// The text format parser of the textfile collector (collectors/sysfs/
// textfile.h), following expfmt.TextParser v0.37 (node_exporter 1.5.0), and
// Go's filepath Match/Glob/Clean/Join (collectors/sysfs/go_glob.h).

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "collectors/sysfs/go_glob.h"
#include "collectors/sysfs/textfile.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::sysfs;
using vitals::procfs::Errc;

namespace {

std::vector<TextFamily> Parse(std::string_view text) {
  auto r = ParseTextfile("x.prom", text);
  INFO(text);
  if (!r.ok()) {
    FAIL(r.error().ToString());
  }
  return *r;
}

std::string ParseError(std::string_view text) {
  auto r = ParseTextfile("x.prom", text);
  INFO(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::kParse);
  CHECK(r.error().path == "x.prom");
  return r.error().detail;
}

}  // namespace

TEST_CASE("ParseTextfile: samples, HELP and TYPE", "[sysfs][textfile]") {
  auto f = Parse(
      "# HELP runs_total Runs by result, \\\\ and \\n escaped.\n"
      "# TYPE runs_total counter\n"
      "runs_total{job=\"db\",result=\"ok\"} 412\n"
      "runs_total{job=\"a \\\"b\\\" \\\\ c\\nd\"} 98765432109\n"
      "untyped_one 1.5e3\n");
  REQUIRE(f.size() == 2);
  CHECK(f[0].name == "runs_total");
  CHECK(*f[0].help == "Runs by result, \\ and \n escaped.");
  CHECK(f[0].type == TextType::kCounter);
  REQUIRE(f[0].metrics.size() == 2);
  CHECK(f[0].metrics[0].labels[1].name == "result");
  CHECK(f[0].metrics[1].labels[0].value == "a \"b\" \\ c\nd");
  CHECK(f[0].metrics[1].value == 98765432109.0);
  CHECK(f[1].type == TextType::kUntyped);
  CHECK_FALSE(f[1].help);
  CHECK(f[1].metrics[0].value == 1500);

  SECTION("families without samples are dropped; comments and blank lines skipped") {
    auto only = Parse("# HELP lonely nothing\n# TYPE lonely gauge\n\n   \n# any comment\n#\n"
                      "# TYPE\n# HELP name_only\n");
    CHECK(only.empty());
    CHECK(Parse("").empty());
    CHECK(Parse("  \t").empty());  // blanks at the end, no line: the end
  }
  SECTION("Go's quirks, kept: blanks, empty and trailing-comma label sets, +value, TYPE backslashes") {
    auto q = Parse(" \t quirk 1\nempty{} 2\ncomma{a=\"x\",} 3\nplus+4\n"
                   "# TYPE t coun\\ter\nt 5\nneg -Inf\nnan NaN\nword -infinity\n");
    REQUIRE(q.size() == 8);
    CHECK(q[3].name == "plus");
    CHECK(q[3].metrics[0].value == 4);
    CHECK(q[4].type == TextType::kCounter);
    CHECK(std::isinf(q[5].metrics[0].value));
    CHECK(std::isnan(q[6].metrics[0].value));
  }
  SECTION("a timestamp is parsed and marked (the collector rejects the file)") {
    auto t = Parse("with_ts 1 1701600000000\n");
    CHECK(t[0].metrics[0].has_timestamp);
  }
}

TEST_CASE("ParseTextfile: summaries and histograms", "[sysfs][textfile]") {
  auto f = Parse(
      "# TYPE lat summary\n"
      "lat{quantile=\"0.5\",path=\"/\"} 0.01\n"
      "lat_sum{path=\"/\"} 12.5\n"
      "lat{path=\"/\",quantile=\"0.99\"} 0.25\n"
      "lat_count{path=\"/\"} 1000\n"
      "lat_count{path=\"/x\"} -1\n"
      "# TYPE dur histogram\n"
      "dur_bucket{le=\"0.5\"} 2.9\n"
      "dur_bucket{le=\"+Inf\"} 10\n"
      "dur_count 10\n"
      "dur_sum 97.25\n"
      "loose_count 3\n");
  REQUIRE(f.size() == 3);
  const auto& lat = f[0].metrics;
  REQUIRE(lat.size() == 2);  // one per label set, quantile aside
  CHECK(lat[0].labels.size() == 1);
  CHECK(lat[0].count == 1000);
  CHECK(lat[0].sum == 12.5);
  REQUIRE(lat[0].quantiles.size() == 2);
  CHECK(lat[0].quantiles[1] == std::pair<double, double>{0.99, 0.25});
  CHECK(lat[1].count == 18446744073709551615ULL);  // Go's uint64(-1.0) on amd64
  const auto& dur = f[1].metrics;
  REQUIRE(dur.size() == 1);
  CHECK(dur[0].buckets[0].second == 2);  // truncated, as Go converts
  CHECK(std::isinf(dur[0].buckets[1].first));
  CHECK(f[2].name == "loose_count");  // no summary "loose": a family of its own
}

TEST_CASE("ParseTextfile: what expfmt rejects, with the line", "[sysfs][textfile]") {
  CHECK_THAT(ParseError("a 1\nno_newline 1"), Catch::Contains("line 2: unexpected end of input"));
  CHECK_THAT(ParseError("bad 1 \n"), Catch::Contains("expected integer as timestamp"));
  CHECK_THAT(ParseError("bad 1 2 x\n"), Catch::Contains("spurious string after timestamp"));
  CHECK_THAT(ParseError("bad one\n"), Catch::Contains("expected float as value"));
  CHECK_THAT(ParseError("bad 0x1p3\n"), Catch::Contains("expected float as value"));
  CHECK_THAT(ParseError("bad 1_000\n"), Catch::Contains("expected float as value"));
  CHECK_THAT(ParseError("bad 1e400\n"), Catch::Contains("expected float as value"));
  CHECK_THAT(ParseError("bad -nan\n"), Catch::Contains("expected float as value"));
  CHECK_THAT(ParseError("bad\n"), Catch::Contains("expected float as value"));
  CHECK_THAT(ParseError("9bad 1\n"), Catch::Contains("invalid metric name"));
  CHECK_THAT(ParseError("bad{a=\"\\t\"} 1\n"), Catch::Contains("invalid escape sequence"));
  CHECK_THAT(ParseError("bad{a=\"x\ny\"} 1\n"), Catch::Contains("unescaped new-line"));
  CHECK_THAT(ParseError("bad{a=\"\xff\"} 1\n"), Catch::Contains("invalid label value"));
  CHECK_THAT(ParseError("bad{a=\"1\",a=\"2\"} 1\n"), Catch::Contains("duplicate label names"));
  CHECK_THAT(ParseError("bad{__name__=\"x\"} 1\n"), Catch::Contains("reserved"));
  CHECK_THAT(ParseError("bad{a=1} 1\n"), Catch::Contains("expected '\"' at start of label value"));
  CHECK_THAT(ParseError("bad{a \"1\"} 1\n"), Catch::Contains("expected '=' after label name"));
  CHECK_THAT(ParseError("bad{a=\"1\" b=\"2\"} 1\n"), Catch::Contains("unexpected end of label value"));
  CHECK_THAT(ParseError("bad{,} 1\n"), Catch::Contains("invalid label name"));
  CHECK_THAT(ParseError("# HELP h one\n# HELP h two\n"), Catch::Contains("second HELP line"));
  CHECK_THAT(ParseError("late 1\n# TYPE late gauge\n"), Catch::Contains("second TYPE line"));
  CHECK_THAT(ParseError("# TYPE t meter\n"), Catch::Contains("unknown metric type"));
  CHECK_THAT(ParseError("# TYPE t counter \n"), Catch::Contains("unknown metric type"));
  CHECK_THAT(ParseError("# HELP h a \\t\n"), Catch::Contains("invalid escape sequence"));
  CHECK_THAT(ParseError("# HELP 9h x\n"), Catch::Contains("invalid metric name in comment"));
  CHECK_THAT(ParseError("# TYPE s summary\ns{quantile=\"x\"} 1\n"), Catch::Contains("'quantile'"));
  CHECK_THAT(ParseError("# TYPE h histogram\nh_bucket{le=\"\"} 1\n"), Catch::Contains("'le'"));
  // node_exporter 1.5.0 panics on a gauge_histogram with samples; an error here.
  CHECK_THAT(ParseError("# TYPE g gauge_histogram\ng 1\n"), Catch::Contains("unexpected type"));
  CHECK(Parse("# TYPE g gauge_histogram\n").empty());
}

TEST_CASE("ParseTextfile: linear in the size of the text", "[sysfs][textfile]") {
  // 200,000 labels on one line and 200,000 lines: both parse quickly (a
  // quadratic duplicate check would take minutes).
  std::string wide = "wide{";
  for (int i = 0; i < 200000; ++i) {
    wide += "l" + std::to_string(i) + "=\"v\",";
  }
  wide += "} 1\n";
  CHECK(Parse(wide)[0].metrics[0].labels.size() == 200000);
  std::string tall;
  for (int i = 0; i < 200000; ++i) {
    tall += "# TYPE s" + std::to_string(i % 10) + "\n";  // a HELP/TYPE without text: skipped
    tall += "tall{i=\"" + std::to_string(i) + "\"} 1\n";
  }
  CHECK(Parse(tall)[0].metrics.size() == 200000);
}

TEST_CASE("ParseTextFloat and GoFloatToUint64", "[sysfs][textfile]") {
  CHECK(ParseTextFloat("1") == 1.0);
  CHECK(ParseTextFloat("+1.5") == 1.5);
  CHECK(ParseTextFloat(".5") == 0.5);
  CHECK(ParseTextFloat("5.") == 5.0);
  CHECK(ParseTextFloat("-2.5E-3") == -0.0025);
  CHECK(ParseTextFloat("1e-400") == 0.0);  // underflow: 0, as Go
  CHECK(ParseTextFloat("+Inf") == std::numeric_limits<double>::infinity());
  CHECK(ParseTextFloat("-infinity") == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(*ParseTextFloat("NaN")));
  for (std::string_view bad : {"", ".", "1e", "1e+", "infx", "+nan", "0x10", "1p3", "1_0", "--1", "1.2.3"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseTextFloat(bad));
  }
  CHECK(GoFloatToUint64(2.9) == 2);
  CHECK(GoFloatToUint64(-1.0) == 18446744073709551615ULL);
  CHECK(GoFloatToUint64(std::nan("")) == 9223372036854775808ULL);
  CHECK(GoFloatToUint64(1e30) == 9223372036854775808ULL);
  CHECK(GoFloatToUint64(1.8446744073709552e19) == 9223372036854775808ULL);
  CHECK(GoFloatToUint64(9.3e18) == 9300000000000000000ULL);
}

TEST_CASE("GoMatch, GoClean, GoJoin", "[sysfs][textfile]") {
  CHECK(*GoMatch("*.prom", "a.prom"));
  CHECK(*GoMatch("*", ".hidden"));  // unlike glob(3)
  CHECK_FALSE(*GoMatch("*", "a/b"));
  CHECK(*GoMatch("a?c", "abc"));
  CHECK(*GoMatch("a?c", "a\xc3\xa9" "c"));  // ? is one rune
  CHECK(*GoMatch("[a-c]x", "bx"));
  CHECK_FALSE(*GoMatch("[^a-c]x", "bx"));
  CHECK(*GoMatch("[!]x", "!x"));  // '!' does not negate
  CHECK(*GoMatch("a\\*", "a*"));
  CHECK(*GoMatch("*b*d", "abcbd"));
  CHECK_FALSE(*GoMatch("*b*d", "abcbe"));
  for (std::string_view bad : {"[", "a\\", "[]", "[a-]", "x[", "*["}) {
    CAPTURE(bad);
    CHECK_FALSE(GoMatch(bad, "anything"));
  }
  CHECK_FALSE(GoMatch("nomatch[", "other"));  // malformed even when the start fails
  CHECK(GoClean("") == ".");
  CHECK(GoClean("/a//b/./c/..") == "/a/b");
  CHECK(GoClean("../../x/") == "../../x");
  CHECK(GoClean("/../a") == "/a");
  CHECK(GoJoin("/var/lib/", "x.prom") == "/var/lib/x.prom");
  CHECK(GoJoin("", "x.prom") == "x.prom");
}

TEST_CASE("GoGlob", "[sysfs][textfile]") {
  vitals::testing::TempTree tree;
  tree.Write("b/x.prom", "");
  tree.Write("a/y.prom", "");
  tree.Write(".h/z.prom", "");
  tree.Write("file", "");
  const std::string root = tree.path().string();
  auto dirs = GoGlob(root + "/*");
  REQUIRE(dirs);
  CHECK(*dirs == std::vector<std::string>{root + "/.h", root + "/a", root + "/b", root + "/file"});
  auto proms = GoGlob(root + "/*/*.prom");
  REQUIRE(proms);
  CHECK(proms->size() == 3);
  CHECK(GoGlob(root + "/a")->size() == 1);  // no meta: itself, when it exists
  CHECK(GoGlob(root + "/none")->empty());
  CHECK(GoGlob(root + "/n?ne")->empty());
  CHECK_FALSE(GoGlob(root + "/n[one"));  // "[" never closed
  CHECK_FALSE(GoGlob(root + "/[")); // malformed
}
