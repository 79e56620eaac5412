#include <catch2/catch.hpp>

#include <string>

#include "collectors/procfs/pid_stat.h"

using namespace vitals::procfs;

namespace {

// Captured from this machine: `cat /proc/self/stat` (kernel 6.18).
constexpr std::string_view kCatStat =
    "6923 (cat) R 6921 6921 4678 0 -1 4194304 102 0 0 0 0 0 0 0 20 0 1 0 38334 3133440 384 "
    "18446744073709551615 94756038766592 94756038786473 140729550532912 0 0 0 0 0 0 0 0 0 17 0 "
    "0 0 0 0 0 94756038802480 94756038804096 94756459634688 140729550535308 140729550535328 "
    "140729550535328 140729550536683 0\n";

// Everything after "(comm)" of kCatStat, to glue behind other comms.
std::string Tail() {
  std::string_view s = kCatStat;
  return std::string(s.substr(s.find(')') + 1));
}

std::string WithComm(std::string_view comm) {
  return "42 (" + std::string(comm) + ")" + Tail();
}

// The fields after comm, numbered as in proc(5), replaced one at a time.
std::string WithField(int number, std::string_view value) {
  std::string line = "42 (x)";
  std::string tail = Tail();
  int index = 3;
  std::size_t pos = 0;
  while (pos < tail.size()) {
    std::size_t start = tail.find_first_not_of(" \n", pos);
    if (start == std::string_view::npos) {
      break;
    }
    std::size_t end = tail.find_first_of(" \n", start);
    std::string field = tail.substr(start, end - start);
    line += ' ';
    line += index == number ? std::string(value) : field;
    ++index;
    pos = end;
  }
  return line + "\n";
}

// The first `count` fields of kCatStat (pid and comm are fields 1 and 2).
std::string FirstFields(int count) {
  std::string line = "42 (x)";
  std::string tail = Tail();
  std::size_t pos = 0;
  for (int index = 3; index <= count; ++index) {
    std::size_t start = tail.find_first_not_of(' ', pos);
    std::size_t end = tail.find(' ', start);  // fields 3..25 are never last: no '\n'
    line += ' ';
    line += tail.substr(start, end - start);
    pos = end;
  }
  return line + "\n";
}

}  // namespace

TEST_CASE("ParsePidStat: a real line", "[procfs]") {
  auto r = ParsePidStat(kCatStat);
  REQUIRE(r.ok());
  CHECK(r->pid == 6923);
  CHECK(r->comm == "cat");
  CHECK(r->state == 'R');
  CHECK(r->ppid == 6921);
  CHECK(r->pgrp == 6921);
  CHECK(r->session == 4678);
  CHECK(r->minflt == 102);
  CHECK(r->majflt == 0);
  CHECK(r->priority == 20);
  CHECK(r->nice == 0);
  CHECK(r->num_threads == 1);
  CHECK(r->starttime == 38334);
  CHECK(r->vsize == 3133440);
  CHECK(r->rss == 384);
  CHECK(r->rsslim == 18446744073709551615u);
  SystemInfo info{4096, 100};
  CHECK(r->RssBytes(info) == 384u * 4096u);
}

TEST_CASE("ParsePidStat: comm is delimited by the first '(' and the last ')'", "[procfs]") {
  SECTION("spaces in comm") {
    auto r = ParsePidStat(WithComm("Web Content"));
    REQUIRE(r.ok());
    CHECK(r->comm == "Web Content");
    CHECK(r->state == 'R');
    CHECK(r->ppid == 6921);
  }
  SECTION("')' inside comm, followed by what looks like fields") {
    auto r = ParsePidStat(WithComm("a) S 1 2 3 (b"));
    REQUIRE(r.ok());
    CHECK(r->comm == "a) S 1 2 3 (b");
    CHECK(r->state == 'R');
    CHECK(r->ppid == 6921);
  }
  SECTION("'(' inside comm") {
    auto r = ParsePidStat(WithComm("((x"));
    REQUIRE(r.ok());
    CHECK(r->comm == "((x");
  }
  SECTION("comm that is only parentheses") {
    auto r = ParsePidStat(WithComm(")("));
    REQUIRE(r.ok());
    CHECK(r->comm == ")(");
    CHECK(r->ppid == 6921);
  }
  SECTION("newline inside comm") {
    auto r = ParsePidStat(WithComm("two\nlines"));
    REQUIRE(r.ok());
    CHECK(r->comm == "two\nlines");
    CHECK(r->state == 'R');
  }
  SECTION("empty comm") {
    auto r = ParsePidStat(WithComm(""));
    REQUIRE(r.ok());
    CHECK(r->comm.empty());
    CHECK(r->state == 'R');
  }
  SECTION("15 bytes, the kernel's TASK_COMM_LEN - 1") {
    auto r = ParsePidStat(WithComm("kworker/u4:1-ev"));
    REQUIRE(r.ok());
    CHECK(r->comm == "kworker/u4:1-ev");
  }
  SECTION("no parentheses at all") {
    auto r = ParsePidStat("42 x R 1 2 3");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK_THAT(r.error().detail, Catch::Contains("(comm)"));
  }
  SECTION("')' before '('") {
    REQUIRE_FALSE(ParsePidStat("42 )x( R 1").ok());
  }
  SECTION("bad pid") {
    auto r = ParsePidStat("4x2 (cat)" + Tail());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK_THAT(r.error().detail, Catch::Contains("pid"));
  }
}

TEST_CASE("ParsePidStat: line endings and sizes", "[procfs]") {
  SECTION("no trailing newline") {
    std::string line(kCatStat);
    line.pop_back();
    auto r = ParsePidStat(line);
    REQUIRE(r.ok());
    CHECK(r->rsslim == 18446744073709551615u);
  }
  SECTION("only the 25 fields the parser needs (a kernel before 2.6.x extras)") {
    auto r = ParsePidStat(FirstFields(25));
    REQUIRE(r.ok());
    CHECK(r->rsslim == 18446744073709551615u);
  }
  SECTION("fields past 2^32: utime, stime, starttime, vsize, rss") {
    auto r = ParsePidStat(WithField(14, "5000000000"));
    REQUIRE(r.ok());
    CHECK(r->utime == 5000000000u);
    r = ParsePidStat(WithField(15, "4294967297"));
    REQUIRE(r.ok());
    CHECK(r->stime == 4294967297u);
    r = ParsePidStat(WithField(22, "18446744073709551000"));
    REQUIRE(r.ok());
    CHECK(r->starttime == 18446744073709551000u);
    r = ParsePidStat(WithField(23, "140737488355328"));
    REQUIRE(r.ok());
    CHECK(r->vsize == 140737488355328u);
    r = ParsePidStat(WithField(24, "8589934592"));
    REQUIRE(r.ok());
    CHECK(r->rss == 8589934592u);
  }
  SECTION("CpuSeconds adds utime and stime in ticks") {
    auto r = ParsePidStat(WithField(14, "1234"));
    REQUIRE(r.ok());
    r->stime = 66;
    CHECK(r->CpuSeconds(SystemInfo{4096, 100}) == Approx(13.0));
  }
}

TEST_CASE("ParsePidStat: signed fields", "[procfs]") {
  SECTION("tty_nr and tpgid of -1 (no controlling terminal)") {
    auto r = ParsePidStat(WithField(7, "-1"));
    REQUIRE(r.ok());
    r = ParsePidStat(WithField(8, "-1"));
    REQUIRE(r.ok());
  }
  SECTION("negative priority and nice of a real-time / reniced task") {
    auto line = WithField(18, "-51");
    auto r = ParsePidStat(line);
    REQUIRE(r.ok());
    CHECK(r->priority == -51);
    r = ParsePidStat(WithField(19, "-20"));
    REQUIRE(r.ok());
    CHECK(r->nice == -20);
  }
  SECTION("a negative unsigned counter is an error, not a wrap-around") {
    for (int field : {10, 12, 14, 15, 20, 22, 23, 24, 25}) {
      CAPTURE(field);
      auto r = ParsePidStat(WithField(field, "-1"));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK_THAT(r.error().detail, Catch::Contains("field " + std::to_string(field)));
    }
  }
}

TEST_CASE("ParsePidStat: truncated and garbled lines", "[procfs]") {
  SECTION("fewer fields than needed names the first missing field") {
    for (int count : {3, 4, 13, 21, 24}) {
      CAPTURE(count);
      auto r = ParsePidStat(FirstFields(count));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK(r.error().path == "<pid>/stat");
      CHECK_THAT(r.error().detail, Catch::Contains("field " + std::to_string(count + 1)));
    }
  }
  SECTION("cut right after comm") {
    auto r = ParsePidStat("42 (x)");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("field 3"));
  }
  SECTION("state longer than one letter") {
    auto r = ParsePidStat(WithField(3, "RS"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("field 3"));
  }
  SECTION("a non-numeric field names its number and text") {
    auto r = ParsePidStat(WithField(14, "12a"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK_THAT(r.error().detail, Catch::Contains("field 14") && Catch::Contains("\"12a\""));
    r = ParsePidStat(WithField(4, "x"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("field 4"));
  }
  SECTION("a value past 2^64 is an error") {
    auto r = ParsePidStat(WithField(23, "18446744073709551616"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("field 23"));
  }
  SECTION("empty text") {
    auto r = ParsePidStat("");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
  }
}
