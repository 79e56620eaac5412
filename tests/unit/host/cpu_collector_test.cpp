#include <catch2/catch.hpp>

#include <string>

#include "tests/unit/host/proc_tree.h"

using namespace vitals::collectors;
using namespace vitals::testing;  // ProcTree, Collect, FindFamily, Sample
using vitals::procfs::Errc;

namespace {

constexpr std::string_view kRest =
    "intr 155078 0 0\nctxt 312135\nbtime 1795212781\nprocesses 6933\n"
    "procs_running 8\nprocs_blocked 0\n";

std::string StatWith(std::string_view cpu_lines) {
  return "cpu  1 1 1 1 1 1 1 1 1 1\n" + std::string(cpu_lines) + std::string(kRest);
}

std::optional<double> Seconds(const std::vector<prometheus::MetricFamily>& f, const char* cpu,
                              const char* mode) {
  return Sample(f, "node_cpu_seconds_total", {{"cpu", cpu}, {"mode", mode}});
}

}  // namespace

TEST_CASE("CpuCollector", "[collectors]") {
  ProcTree tree;
  auto cpu_owner = tree.Make("cpu");
  Collector& cpu = *cpu_owner;
  CHECK(cpu.name() == "cpu");

  SECTION("names, types, labels and ticks/100 as seconds; guest modes apart") {
    // cpu1 has 8 columns (a kernel without guest time): no guest series for it.
    tree.Write("stat", StatWith("cpu0 100 200 300 400 500 600 700 800 900 1000\n"
                                "cpu1 150 0 250 5000000000 0 0 0 0\n"));
    auto c = Collect(cpu);
    REQUIRE(c.result.ok());
    REQUIRE(c.families.size() == 2);
    const auto* seconds = FindFamily(c.families, "node_cpu_seconds_total");
    const auto* guest = FindFamily(c.families, "node_cpu_guest_seconds_total");
    REQUIRE(seconds != nullptr);
    REQUIRE(guest != nullptr);
    CHECK(seconds->type == prometheus::MetricType::Counter);
    CHECK(guest->type == prometheus::MetricType::Counter);
    CHECK(seconds->metric.size() == 16);  // 8 modes x 2 cpus; the "cpu" total is not exported
    CHECK(guest->metric.size() == 2);
    for (const auto& m : seconds->metric) {
      REQUIRE(m.label.size() == 2);
      CHECK(m.label[0].name == "cpu");
      CHECK(m.label[1].name == "mode");
    }
    CHECK(Seconds(c.families, "0", "user") == 1.0);
    CHECK(Seconds(c.families, "0", "nice") == 2.0);
    CHECK(Seconds(c.families, "0", "system") == 3.0);
    CHECK(Seconds(c.families, "0", "idle") == 4.0);
    CHECK(Seconds(c.families, "0", "iowait") == 5.0);
    CHECK(Seconds(c.families, "0", "irq") == 6.0);
    CHECK(Seconds(c.families, "0", "softirq") == 7.0);
    CHECK(Seconds(c.families, "0", "steal") == 8.0);
    CHECK(Sample(c.families, "node_cpu_guest_seconds_total", {{"cpu", "0"}, {"mode", "user"}}) ==
          9.0);
    CHECK(Sample(c.families, "node_cpu_guest_seconds_total", {{"cpu", "0"}, {"mode", "nice"}}) ==
          10.0);
    CHECK(Seconds(c.families, "1", "user") == 1.5);
    CHECK(Seconds(c.families, "1", "idle") == 50000000.0);  // 5e9 ticks: past 2^32
    CHECK_FALSE(Sample(c.families, "node_cpu_guest_seconds_total",
                       {{"cpu", "1"}, {"mode", "user"}}));
  }
  SECTION("sparse cpu numbers keep their own labels") {
    tree.Write("stat", StatWith("cpu0 1 1 1 1\ncpu3 7 7 7 7\n"));
    auto c = Collect(cpu);
    REQUIRE(c.result.ok());
    CHECK(Seconds(c.families, "3", "user") == 0.07);
    CHECK_FALSE(Seconds(c.families, "1", "user"));
    CHECK(FindFamily(c.families, "node_cpu_seconds_total")->metric.size() == 8);
  }
  SECTION("a backwards jump of less than 3 s is held; the counter never decreases") {
    tree.Write("stat", StatWith("cpu0 1000 0 500 10000 300 0 0 0 0 0\n"));
    REQUIRE(Collect(cpu).result.ok());
    // idle back by 2.9 s, iowait back by one tick, user forward.
    tree.Write("stat", StatWith("cpu0 1100 0 500 9710 299 0 0 0 0 0\n"));
    auto c = Collect(cpu);
    REQUIRE(c.result.ok());
    CHECK(Seconds(c.families, "0", "idle") == 100.0);
    CHECK(Seconds(c.families, "0", "iowait") == 3.0);
    CHECK(Seconds(c.families, "0", "user") == 11.0);
    // Once the kernel's value passes the held one, it is exported again.
    tree.Write("stat", StatWith("cpu0 1100 0 500 10050 310 0 0 0 0 0\n"));
    c = Collect(cpu);
    CHECK(Seconds(c.families, "0", "idle") == 100.5);
    CHECK(Seconds(c.families, "0", "iowait") == 3.1);
  }
  SECTION("idle dropping by more than 3 s is a hotplug: every mode of that cpu restarts") {
    tree.Write("stat", StatWith("cpu0 1000 0 500 10000 300 0 0 0 0 0\n"
                                "cpu1 1000 0 500 10000 300 0 0 0 0 0\n"));
    REQUIRE(Collect(cpu).result.ok());
    // cpu1 went offline and came back: idle restarts from near 0 while user
    // dropped by only half a second.
    tree.Write("stat", StatWith("cpu0 1010 0 500 10010 300 0 0 0 0 0\n"
                                "cpu1 950 0 20 100 1 0 0 0 0 0\n"));
    auto c = Collect(cpu);
    REQUIRE(c.result.ok());
    CHECK(Seconds(c.families, "1", "idle") == 1.0);
    CHECK(Seconds(c.families, "1", "user") == 9.5);
    CHECK(Seconds(c.families, "1", "system") == 0.2);
    CHECK(Seconds(c.families, "1", "iowait") == 0.01);
    CHECK(Seconds(c.families, "0", "idle") == 100.1);  // the other cpu is untouched
    CHECK(Seconds(c.families, "0", "user") == 10.1);
  }
  SECTION("a missing or garbled /proc/stat is an error and no samples, not zeros") {
    auto missing = Collect(cpu);
    REQUIRE_FALSE(missing.result.ok());
    CHECK(missing.result.error().code == Errc::kNotFound);
    CHECK(missing.result.error().path == "stat");
    CHECK(missing.families.empty());
    tree.Write("stat", StatWith("cpu0 1 1 x 1\n"));
    auto garbled = Collect(cpu);
    REQUIRE_FALSE(garbled.result.ok());
    CHECK(garbled.result.error().code == Errc::kParse);
    CHECK(garbled.families.empty());
  }
}
