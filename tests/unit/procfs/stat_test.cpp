#include <catch2/catch.hpp>

#include <string>

#include "collectors/procfs/stat.h"

using namespace vitals::procfs;

namespace {

// Captured from this machine (2 CPUs, kernel 6.18), intr shortened to 8 columns.
constexpr std::string_view kStat =
    "cpu  7315 0 2911 65543 434 0 49 39 0 0\n"
    "cpu0 2898 0 1166 34041 23 0 12 15 0 0\n"
    "cpu1 4416 0 1745 31501 411 0 36 23 0 0\n"
    "intr 155078 0 0 0 0 0 0 0\n"
    "ctxt 312135\n"
    "btime 1795212781\n"
    "processes 6933\n"
    "procs_running 8\n"
    "procs_blocked 0\n"
    "softirq 101751 0 10657 4 1571 43326 0 3 23193 0 22997\n";

std::string Without(std::string_view key) {
  std::string out;
  std::string_view rest = kStat;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl + 1);
    rest.remove_prefix(line.size());
    if (line.substr(0, key.size() + 1) != std::string(key) + " ") {
      out += line;
    }
  }
  return out;
}

std::string Sub(std::string text, std::string_view from, std::string_view to) {
  std::size_t pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
  return text;
}

std::string Replace(std::string_view from, std::string_view to) {
  return Sub(std::string(kStat), from, to);
}

}  // namespace

TEST_CASE("ParseStat: a real file", "[procfs]") {
  auto r = ParseStat(kStat);
  REQUIRE(r.ok());
  CHECK(r->total.cpu == -1);
  CHECK(r->total.columns == 10);
  CHECK(r->total.ticks[CpuTimes::kUser] == 7315);
  CHECK(r->total.ticks[CpuTimes::kIdle] == 65543);
  REQUIRE(r->cpus.size() == 2);
  CHECK(r->cpus[0].cpu == 0);
  CHECK(r->cpus[1].cpu == 1);
  CHECK(r->cpus[1].ticks[CpuTimes::kSystem] == 1745);
  CHECK(r->cpus[1].ticks[CpuTimes::kIowait] == 411);
  CHECK(r->cpus[1].ticks[CpuTimes::kSteal] == 23);
  CHECK(r->interrupts == 155078);
  CHECK(r->context_switches == 312135);
  CHECK(r->boot_time == 1795212781);
  CHECK(r->forks == 6933);
  CHECK(r->procs_running == 8);
  CHECK(r->procs_blocked == 0);
}

TEST_CASE("ParseStat: edges", "[procfs]") {
  SECTION("old kernels print fewer cpu columns; `columns` says how many") {
    // 2.6.11..2.6.23: 8 columns (no guest); 2.6.0..2.6.10: 7 (no steal); 2.4: 4.
    for (int columns : {4, 7, 8, 9}) {
      CAPTURE(columns);
      std::string line;
      for (int i = 0; i < columns; ++i) {
        line += ' ' + std::to_string(100 + i);
      }
      // Keep only the non-cpu lines of the capture.
      std::string rest = Without("cpu");
      rest = Sub(Sub(rest, "cpu0 2898 0 1166 34041 23 0 12 15 0 0\n", ""),
                 "cpu1 4416 0 1745 31501 411 0 36 23 0 0\n", "");
      auto r = ParseStat("cpu " + line + "\ncpu0" + line + "\n" + rest);
      REQUIRE(r.ok());
      CHECK(r->total.columns == columns);
      REQUIRE(r->cpus.size() == 1);
      CHECK(r->cpus[0].columns == columns);
      CHECK(r->cpus[0].ticks[static_cast<std::size_t>(columns - 1)] ==
            static_cast<std::uint64_t>(100 + columns - 1));
    }
  }
  SECTION("fewer than 4 columns is an error naming the line") {
    auto r = ParseStat(Replace("cpu1 4416 0 1745 31501 411 0 36 23 0 0", "cpu1 4416 0 1745"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
    CHECK_THAT(r.error().detail, Catch::Contains("cpu1") && Catch::Contains("got 3"));
  }
  SECTION("a future kernel's eleventh column is ignored") {
    auto r = ParseStat(Replace("cpu0 2898 0 1166 34041 23 0 12 15 0 0",
                               "cpu0 2898 0 1166 34041 23 0 12 15 0 0 777"));
    REQUIRE(r.ok());
    CHECK(r->cpus[0].columns == 10);
  }
  SECTION("cpu lines after the other lines, and sparse cpu numbers (offline cpu1)") {
    std::string text = Without("cpu0");
    text = text.substr(text.find('\n') + 1);  // drop the aggregate...
    text += "cpu  1 2 3 4\ncpu3 5 6 7 8 9 10 11 12 13 14\n";  // ...and append it at the end
    auto r = ParseStat(text);
    REQUIRE(r.ok());
    REQUIRE(r->cpus.size() == 2);
    CHECK(r->cpus[0].cpu == 1);
    CHECK(r->cpus[1].cpu == 3);
    CHECK(r->cpus[1].ticks[CpuTimes::kGuestNice] == 14);
    CHECK(r->total.ticks[CpuTimes::kIdle] == 4);
    CHECK(r->boot_time == 1795212781);
  }
  SECTION("values past 2^32") {
    auto r = ParseStat(Sub(Replace("ctxt 312135", "ctxt 98765432109876"), "cpu  7315 ",
                           "cpu  9999999999 "));
    REQUIRE(r.ok());
    CHECK(r->context_switches == 98765432109876u);
    CHECK(r->total.ticks[CpuTimes::kUser] == 9999999999u);
  }
  SECTION("missing btime, ctxt or any other line is a parse error naming it") {
    for (std::string_view key : {"btime", "ctxt", "intr", "processes", "procs_running",
                                 "procs_blocked"}) {
      CAPTURE(key);
      auto r = ParseStat(Without(key));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::kParse);
      CHECK(r.error().path == "stat");
      CHECK_THAT(r.error().detail, Catch::Contains("\"" + std::string(key) + "\""));
    }
  }
  SECTION("a file cut in the middle") {
    std::string_view text = kStat;
    auto r = ParseStat(text.substr(0, text.find("btime") + 3));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
  }
  SECTION("no trailing newline") {
    std::string text = Without("softirq");
    text.pop_back();
    auto r = ParseStat(text);
    REQUIRE(r.ok());
    CHECK(r->procs_blocked == 0);
  }
  SECTION("garbled numbers") {
    auto r = ParseStat(Replace("ctxt 312135", "ctxt 31x135"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("ctxt") && Catch::Contains("31x135"));
    r = ParseStat(Replace("cpu0 2898", "cpu0 -2898"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("cpu0") && Catch::Contains("-2898"));
    r = ParseStat(Replace("btime 1795212781", "btime"));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("btime"));
    r = ParseStat(Replace("cpu1 ", "cpuX "));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().detail, Catch::Contains("cpuX"));
  }
  SECTION("empty file") {
    auto r = ParseStat("");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kParse);
  }
}

TEST_CASE("ParseStat: the softirq line", "[procfs]") {
  SECTION("total and the 10 vectors in the kernel's order") {
    auto s = ParseStat(kStat);
    REQUIRE(s.ok());
    REQUIRE(s->has_softirq);
    CHECK(s->softirq_total == 101751);
    CHECK(s->softirq[0] == 0);       // hi
    CHECK(s->softirq[1] == 10657);   // timer
    CHECK(s->softirq[4] == 43326);   // block
    CHECK(s->softirq[9] == 22997);   // rcu
  }
  SECTION("absent (kernels before 2.6.31): no softirq, not zeros") {
    auto s = ParseStat(Without("softirq"));
    REQUIRE(s.ok());
    CHECK_FALSE(s->has_softirq);
  }
  SECTION("short or garbled: an error naming the line") {
    for (std::string_view bad : {"softirq 101751 0 10657\n", "softirq 101751 0 x 4 1571 43326 0 3 23193 0 22997\n",
                                 "softirq\n"}) {
      auto s = ParseStat(Replace("softirq 101751 0 10657 4 1571 43326 0 3 23193 0 22997\n", bad));
      REQUIRE_FALSE(s.ok());
      CHECK(s.error().code == Errc::kParse);
      CHECK_THAT(s.error().detail, Catch::Contains("softirq"));
    }
  }
}
