#include <catch2/catch.hpp>

#include <string>

#include "tests/unit/host/proc_tree.h"

using namespace vitals::collectors;
using namespace vitals::testing;  // ProcTree, Collect, FindFamily, Sample
using vitals::procfs::Errc;

namespace {

// A /proc/<pid>/stat line with the given state and num_threads (field 20).
std::string StatLine(int pid, std::string_view comm, char state, int threads) {
  return std::to_string(pid) + " (" + std::string(comm) + ") " + state +
         " 1 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 " + std::to_string(threads) +
         " 0 1000 1000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
}

}  // namespace

TEST_CASE("ProcessesCollector", "[collectors]") {
  ProcTree tree;
  tree.Write("sys/kernel/pid_max", "32768\n");
  tree.Write("sys/kernel/threads-max", "192730\n");
  // pid 1: sleeping, two threads (one running).
  tree.Write("1/stat", StatLine(1, "init", 'S', 2));
  tree.Write("1/task/1/stat", StatLine(1, "init", 'S', 2));
  tree.Write("1/task/5/stat", StatLine(5, "worker", 'R', 2));
  // pid 2: running, comm with spaces and ')'.
  tree.Write("2/stat", StatLine(2, "a) R (b c", 'R', 1));
  tree.Write("2/task/2/stat", StatLine(2, "a) R (b c", 'R', 1));
  // pid 3 exited between the listing and the read: its directory has no stat.
  tree.Mkdir("3");
  // pid 4: in D state with one thread, its task directory is gone: a
  // single-threaded process's thread is its leader, counted from <pid>/stat
  // without listing task/.
  tree.Write("4/stat", StatLine(4, "dd", 'D', 1));
  // pid 6: two threads, one vanished from task/ between listing and reading.
  tree.Write("6/stat", StatLine(6, "z", 'Z', 2));
  tree.Mkdir("6/task/7");
  // pid 8: two threads, its task directory is gone (exited after stat was read).
  tree.Write("8/stat", StatLine(8, "gone", 'S', 2));
  tree.Mkdir("self");
  auto processes_owner = tree.Make("processes");
  Collector& processes = *processes_owner;
  CHECK(processes.name() == "processes");

  SECTION("counts by state, vanished pids skipped") {
    auto c = Collect(processes);
    REQUIRE(c.result.ok());
    CHECK(Sample(c.families, "node_processes_max_processes") == 32768);
    CHECK(Sample(c.families, "node_processes_max_threads") == 192730);
    CHECK(Sample(c.families, "node_processes_pids") == 5);     // 1, 2, 4, 6, 8
    CHECK(Sample(c.families, "node_processes_threads") == 8);  // 2 + 1 + 1 + 2 + 2
    CHECK(Sample(c.families, "node_processes_state", {{"state", "S"}}) == 2);
    CHECK(Sample(c.families, "node_processes_state", {{"state", "R"}}) == 1);
    CHECK(Sample(c.families, "node_processes_state", {{"state", "D"}}) == 1);
    CHECK(Sample(c.families, "node_processes_state", {{"state", "Z"}}) == 1);
    CHECK(FindFamily(c.families, "node_processes_state")->metric.size() == 4);
    // Threads: 1 and 5 of pid 1, 2, 4 (no listing needed); none of 6 and 8,
    // whose listings lost the leader or failed.
    CHECK(Sample(c.families, "node_processes_threads_state", {{"thread_state", "S"}}) == 1);
    CHECK(Sample(c.families, "node_processes_threads_state", {{"thread_state", "R"}}) == 2);
    CHECK(Sample(c.families, "node_processes_threads_state", {{"thread_state", "D"}}) == 1);
    CHECK(FindFamily(c.families, "node_processes_threads_state")->metric.size() == 3);
    for (const auto& family : c.families) {
      CHECK(family.type == prometheus::MetricType::Gauge);
    }
  }
  SECTION("a garbled stat fails the collector instead of counting it as 0") {
    tree.Write("2/stat", "2 (x) R 1 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 zz\n");
    auto c = Collect(processes);
    REQUIRE_FALSE(c.result.ok());
    CHECK(c.result.error().code == Errc::kParse);
    CHECK(c.families.empty());
  }
  SECTION("a missing or garbled pid_max is an error") {
    tree.Remove("sys/kernel/pid_max");
    auto missing = Collect(processes);
    REQUIRE_FALSE(missing.result.ok());
    CHECK(missing.result.error().code == Errc::kNotFound);
    CHECK(missing.result.error().path == "sys/kernel/pid_max");
    tree.Write("sys/kernel/pid_max", "lots\n");
    auto garbled = Collect(processes);
    REQUIRE_FALSE(garbled.result.ok());
    CHECK(garbled.result.error().code == Errc::kParse);
    CHECK(garbled.families.empty());
  }
}
