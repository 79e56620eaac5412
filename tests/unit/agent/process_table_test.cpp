#include "collectors/process_table.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "collectors/collector_registry.h"
#include "collectors/process/process_collector.h"
#include "config/config.h"
#include "tests/unit/collectors/families.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::collectors;
using vitals::procfs::ProcFs;
using vitals::testing::Collect;
using vitals::testing::OpenProcFs;
using vitals::testing::Sample;
using vitals::testing::TempTree;

namespace {

constexpr std::string_view kStat =
    "cpu  1 0 1 1 0 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\nintr 1 0\nctxt 5\nbtime 1700000000\n"
    "processes 9\nprocs_running 1\nprocs_blocked 0\n";

std::string StatLine(int pid, std::string_view comm) {
  return std::to_string(pid) + " (" + std::string(comm) +
         ") S 1 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 1000 1000000 100 "
         "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
}

void WriteProcess(const TempTree& tree, int pid, std::string_view comm) {
  const std::string dir = std::to_string(pid);
  tree.Write(dir + "/stat", StatLine(pid, comm));
  tree.Write(dir + "/task/" + dir + "/stat", StatLine(pid, comm));
  tree.Write(dir + "/status", "Name:\t" + std::string(comm) + "\nState:\tS (sleeping)\nTgid:\t" +
                                  dir + "\nPPid:\t1\nUid:\t1000\t1000\t1000\t1000\n"
                                  "Gid:\t1000\t1000\t1000\t1000\nThreads:\t1\n"
                                  "voluntary_ctxt_switches:\t1\nnonvoluntary_ctxt_switches:\t1\n");
  tree.Write(dir + "/io", "rchar: 1\nwchar: 1\nsyscr: 1\nsyscw: 1\nread_bytes: 0\n"
                          "write_bytes: 0\ncancelled_write_bytes: 0\n");
  tree.Write(dir + "/limits", "Limit                     Soft Limit           Hard Limit           Units     \n"
                              "Max open files            1024                 4096                 files     \n");
  tree.Mkdir(dir + "/fd");
}

std::vector<vitals::config::ProcessGroupConfig> Groups(const std::string& json) {
  return vitals::config::Parse(json, "test", [](std::string_view) { return std::nullopt; })
      .process_groups;
}

}  // namespace

TEST_CASE("ProcessTable: one pass per scrape, never an older one", "[collectors]") {
  TempTree tree;
  WriteProcess(tree, 1, "init");
  WriteProcess(tree, 2, "app");
  tree.Mkdir("3");  // exited between the listing and the read
  const ProcFs fs = OpenProcFs(tree.path());
  ProcessTable table(fs);
  ProcessTable::Cursor a, b;

  auto first = table.Read(a);
  REQUIRE(first.ok());
  REQUIRE((*first)->processes.size() == 3);
  CHECK((*first)->processes[0].stat.comm == "init");
  REQUIRE((*first)->processes[2].error);
  CHECK((*first)->processes[2].error->code == vitals::procfs::Errc::kVanished);

  SECTION("a second consumer takes the same pass") {
    auto second = table.Read(b);
    REQUIRE(second.ok());
    CHECK(second->get() == first->get());
    CHECK(table.passes() == 1);
  }
  SECTION("a consumer that has seen the pass gets a new one") {
    WriteProcess(tree, 4, "new");
    auto again = table.Read(a);
    REQUIRE(again.ok());
    CHECK(table.passes() == 2);
    CHECK((*again)->processes.size() == 4);
  }
  SECTION("after Expire() (a new scrape) nobody takes the old pass") {
    table.Expire();
    REQUIRE(table.Read(b).ok());
    CHECK(table.passes() == 2);
  }
  SECTION("a pass older than max_age is not shared") {
    ProcessTable quick(fs, std::chrono::milliseconds(1));
    ProcessTable::Cursor c, d;
    REQUIRE(quick.Read(c).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(quick.Read(d).ok());
    CHECK(quick.passes() == 2);
  }
}

TEST_CASE("ProcessTable: processes and process groups share one pass", "[collectors]") {
  TempTree tree;
  tree.Write("stat", kStat);
  tree.Write("sys/kernel/pid_max", "32768\n");
  tree.Write("sys/kernel/threads-max", "192730\n");
  WriteProcess(tree, 1, "init");
  WriteProcess(tree, 2, "app");
  const ProcFs fs = OpenProcFs(tree.path());
  auto table = std::make_shared<ProcessTable>(fs);
  const FlagValues flags;
  auto processes_owner = CollectorRegistry::Builtin().Find("processes")->factory(
      CollectorContext{fs, fs, fs, flags, table});
  Collector& processes = *processes_owner;
  ProcessCollector groups(fs, Groups(R"({"process_groups": [{"name": "app", "comm": "^app$"}]})"),
                          {}, table);
  REQUIRE_FALSE(groups.self_only());
  const auto at_start = table->passes();  // the groups' baseline scan

  for (int scrape = 1; scrape <= 3; ++scrape) {
    table->Expire();  // as ScrapeCollectable does
    auto p = Collect(processes);
    auto g = Collect(groups);
    REQUIRE(p.result.ok());
    REQUIRE(g.result.ok());
    CHECK(Sample(p.families, "node_processes_pids") == 2);
    CHECK(Sample(g.families, "namedprocess_namegroup_num_procs", {{"groupname", "app"}}) == 1);
    CHECK(table->passes() == at_start + static_cast<std::uint64_t>(scrape));
  }
}

TEST_CASE("ProcessCollector: only self entries read no pass over /proc", "[collectors]") {
  TempTree tree;
  tree.Write("stat", kStat);
  WriteProcess(tree, 1, "init");
  WriteProcess(tree, 2, "vitals");
  const ProcFs fs = OpenProcFs(tree.path());
  auto table = std::make_shared<ProcessTable>(fs);

  SECTION("the embedded default: the agent itself") {
    ProcessCollector c(fs, vitals::config::DefaultConfig().process_groups, {}, table);
    CHECK(c.self_only());
    auto g = Collect(c);
    REQUIRE(g.result.ok());
    // A fixture tree is not the agent's /proc: no process is the agent.
    CHECK(Sample(g.families, "namedprocess_namegroup_num_procs", {{"groupname", "vitals"}}) == 0);
    CHECK(table->passes() == 0);
  }
  SECTION("no groups at all") {
    ProcessCollector c(fs, {}, {}, table);
    CHECK(c.self_only());
    REQUIRE(Collect(c).result.ok());
    CHECK(table->passes() == 0);
  }
  SECTION("self with children may hold any process: a full pass") {
    ProcessCollector c(
        fs, Groups(R"({"process_groups": [{"name": "v", "self": true, "children": true}]})"), {},
        table);
    CHECK_FALSE(c.self_only());
    REQUIRE(Collect(c).result.ok());
    CHECK(table->passes() >= 1);
  }
}
