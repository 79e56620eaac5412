#include "agent/health/sampler.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

using namespace vitals;
using namespace vitals::health;
using namespace std::chrono_literals;

namespace {

namespace fs = std::filesystem;

// A copy of the captured fixture's host files in a temp dir, so a test can
// rewrite /proc/stat between two samples.
struct Tree {
  Tree() {
    root = fs::temp_directory_path() / ("vitals-sampler-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "sys/fs");
    const fs::path fixture = fs::path(VITALS_SOURCE_DIR) / "tests/fixtures/proc";
    for (const char* file : {"stat", "meminfo", "loadavg", "sys/fs/file-nr"}) {
      fs::copy_file(fixture / file, root / file);
    }
  }
  ~Tree() { fs::remove_all(root); }
  void Write(const std::string& file, const std::string& text) const {
    std::ofstream(root / file, std::ios::trunc) << text;
  }
  fs::path root;
};

double Value(const Sampler& sampler, const std::string& name, const std::string& group = {}) {
  auto got = sampler.Get(ValueKey{name, group});
  if (auto* why = std::get_if<std::string>(&got)) {
    FAIL(name << ": " << *why);
  }
  return std::get<health::Sample>(got).value;
}

std::string Why(const Sampler& sampler, const std::string& name, const std::string& group = {}) {
  auto got = sampler.Get(ValueKey{name, group});
  REQUIRE(std::holds_alternative<std::string>(got));
  return std::get<std::string>(got);
}

// The values Sample() computes from the four files of Tree.
const std::set<std::string, std::less<>> kFileValues = {
    "host.cpu_busy_ratio",  "host.memory_available_ratio", "host.swap_used_ratio",
    "host.load1_per_core",  "host.load5_per_core",         "host.load15_per_core",
    "host.filefd_ratio"};

}  // namespace

TEST_CASE("Sampler: host values from the captured fixture", "[health]") {
  Tree tree;
  auto clock = std::make_shared<ManualClock>();
  auto proc = procfs::ProcFs::Open(tree.root, procfs::SystemInfo{4096, 100});
  REQUIRE(proc);
  Sampler sampler(std::move(*proc), clock);
  sampler.SetNeeds(kFileValues);
  CHECK(Why(sampler, "host.memory_available_ratio") == "not sampled yet");

  sampler.Sample();
  // Values computed by hand from tests/fixtures/proc.
  CHECK(Value(sampler, "host.memory_available_ratio") == Approx(24210576.0 / 24684084.0));
  CHECK(Value(sampler, "host.swap_used_ratio") == 0);  // SwapTotal 0: no swap is none used
  CHECK(Value(sampler, "host.load1_per_core") == Approx(2.22 / 2));
  CHECK(Value(sampler, "host.load5_per_core") == Approx(1.27 / 2));
  CHECK(Value(sampler, "host.load15_per_core") == Approx(0.51 / 2));
  CHECK(Value(sampler, "host.filefd_ratio") == Approx(572.0 / 2466170.0));
  CHECK(Why(sampler, "host.cpu_busy_ratio") == "needs two samples");

  // 100 more ticks: 30 user, 10 system, 60 idle -> 40% busy.
  tree.Write("stat",
             "cpu  18459 0 4925 73562 480 0 64 88 0 0\n"
             "cpu0 8008 0 2135 38504 30 0 17 42 0 0\n"
             "cpu1 10420 0 2780 34997 449 0 47 45 0 0\n"
             "intr 1 0\nctxt 5\nbtime 1700000000\nprocesses 10\nprocs_running 1\n"
             "procs_blocked 0\n");
  clock->Advance(1s);
  sampler.Sample();
  CHECK(Value(sampler, "host.cpu_busy_ratio") == Approx(0.4));

  // Same counters again: no time passed, no ratio (not a 0).
  clock->Advance(1s);
  sampler.Sample();
  CHECK(Why(sampler, "host.cpu_busy_ratio") ==
        "no CPU time passed between the last two samples");
}

TEST_CASE("Sampler: the host CPU ratio spans at least kMinCpuInterval", "[health]") {
  Tree tree;
  auto clock = std::make_shared<ManualClock>();
  auto proc = procfs::ProcFs::Open(tree.root, procfs::SystemInfo{4096, 100});
  REQUIRE(proc);
  Sampler sampler(std::move(*proc), clock);
  sampler.SetNeeds({"host.cpu_busy_ratio"});
  auto stat = [&](int user, int idle) {
    tree.Write("stat", "cpu  " + std::to_string(user) + " 0 0 " + std::to_string(idle) +
                           " 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n"
                           "intr 1 0\nctxt 5\nbtime 1700000000\nprocesses 10\n"
                           "procs_running 1\nprocs_blocked 0\n");
  };
  stat(1000, 1000);
  sampler.Sample();
  CHECK(Why(sampler, "host.cpu_busy_ratio") == "needs two samples");

  SECTION("too soon after the first reading: no ratio yet, the base stays") {
    stat(1001, 1000);  // one tick: a ratio of 1 that says nothing
    clock->Advance(10ms);
    sampler.Sample();
    CHECK(Why(sampler, "host.cpu_busy_ratio") == "needs two samples");
    stat(1030, 1070);  // since the base: 30 busy of 100
    clock->Advance(Sampler::kMinCpuInterval);
    sampler.Sample();
    CHECK(Value(sampler, "host.cpu_busy_ratio") == Approx(0.3));
  }

  SECTION("too soon after a ratio: the ratio and its time stay, the base too") {
    stat(1050, 1050);
    clock->Advance(1s);
    sampler.Sample();
    CHECK(Value(sampler, "host.cpu_busy_ratio") == Approx(0.5));
    const SteadyTime taken = clock->Now();
    stat(1050, 1050);  // no tick passed (the scheduler sampled right after a prime)
    clock->Advance(5ms);
    sampler.Sample();
    auto got = sampler.Get(ValueKey{"host.cpu_busy_ratio", ""});
    REQUIRE(std::holds_alternative<health::Sample>(got));
    CHECK(std::get<health::Sample>(got).value == Approx(0.5));
    CHECK(std::get<health::Sample>(got).taken == taken);  // freshness still counts from then
    stat(1140, 1060);  // since the base (1050, 1050): 90 busy of 100
    clock->Advance(1s);
    sampler.Sample();
    CHECK(Value(sampler, "host.cpu_busy_ratio") == Approx(0.9));
  }
}

TEST_CASE("Sampler: a broken file is an error for its values only", "[health]") {
  Tree tree;
  tree.Write("meminfo", "MemTotal: 12x kB\n");
  auto proc = procfs::ProcFs::Open(tree.root, procfs::SystemInfo{4096, 100});
  REQUIRE(proc);
  Sampler sampler(std::move(*proc), std::make_shared<ManualClock>());
  sampler.SetNeeds(kFileValues);
  sampler.Sample();
  CHECK_THAT(Why(sampler, "host.memory_available_ratio"), Catch::Contains("meminfo"));
  CHECK_THAT(Why(sampler, "host.swap_used_ratio"), Catch::Contains("meminfo"));
  CHECK(Value(sampler, "host.load1_per_core") == Approx(1.11));
}

TEST_CASE("Sampler: group values and the group CPU ratio", "[health]") {
  Tree tree;
  auto clock = std::make_shared<ManualClock>();
  auto proc = procfs::ProcFs::Open(tree.root, procfs::SystemInfo{4096, 100});
  REQUIRE(proc);
  Sampler sampler(std::move(*proc), clock);
  double cpu = 10;
  bool broken = false;
  sampler.SetGroupReader([&]() -> std::variant<std::map<std::string, GroupReading>, std::string> {
    if (broken) {
      return std::string("permission denied");
    }
    GroupReading g;
    g.num_procs = 3;
    g.cpu_seconds = cpu;
    g.memory_rss_bytes = 1 << 20;
    g.num_threads = 7;
    g.open_fds = 12;
    g.worst_fd_ratio = 0.25;
    return std::map<std::string, GroupReading>{{"web", g}};
  });
  sampler.Sample();
  CHECK(Value(sampler, "group.num_procs", "web") == 3);
  CHECK(Value(sampler, "group.open_fds", "web") == 12);
  CHECK(Value(sampler, "group.worst_fd_ratio", "web") == 0.25);
  CHECK(Why(sampler, "group.cpu_ratio", "web") == "needs two samples");
  CHECK_THAT(Why(sampler, "group.num_procs", "db"), Catch::Contains("no sample for group db"));

  cpu = 11;  // one CPU second in two seconds on two CPUs: a quarter of the machine
  clock->Advance(2s);
  sampler.Sample();
  CHECK(Value(sampler, "group.cpu_ratio", "web") == Approx(0.25));

  broken = true;
  sampler.Sample();
  CHECK(Why(sampler, "group.num_procs", "web") == "reading process groups: permission denied");

  collectors::MetricSink sink;
  sampler.AddSeries(sink);
  auto families = sink.Take();
  for (const auto& f : families) {
    CHECK(f.name.rfind("vitals_sample_host_", 0) == 0);  // failed groups export nothing
  }
}
