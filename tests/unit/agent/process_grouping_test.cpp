// The signal action's FindGroup and the process collector place processes
// into groups alike (collectors::ProcessGrouping): on a fixture /proc, the
// members of each group are the same for both. Here because it needs both
// vitals::actions and vitals::process, which only the agent links together.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/actions/group_signal.h"
#include "collectors/process/process_collector.h"
#include "config/config.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals;

namespace {

const config::EnvLookup kNoEnv = [](std::string_view) -> std::optional<std::string> {
  return std::nullopt;
};

}  // namespace

TEST_CASE("signal: FindGroup's members are the process collector's, on one fixture /proc",
          "[actions]") {
  vitals::testing::TempTree tree;
  tree.Write("stat",
             "cpu  1 2 3 4 5 6 7 0 0 0\ncpu0 1 2 3 4 5 6 7 0 0 0\nintr 10 0\nctxt 5\n"
             "btime 1700000000\nprocesses 9\nprocs_running 1\nprocs_blocked 0\n");
  struct Fixture {
    int pid, ppid;
    std::string comm, cmdline;  // cmdline: NUL-separated argv
  };
  // Each process has 2^i threads, so a group's namedprocess_namegroup_num_threads
  // names its exact members.
  const std::vector<Fixture> processes = {
      {1, 0, "init", std::string("/sbin/init\0", 11)},
      {10, 1, "web", ""},
      {11, 10, "worker", ""},     // unmatched under web: joins it
      {5, 11, "grandkid", ""},    // a lower pid than its parent (pid wrap): joins too
      {12, 10, "db", ""},         // its own entry wins over its parent's children
      {13, 12, "dbtool", ""},     // under db, which has no children: in no group
      {14, 13, "web", ""},        // matched again below that
      {20, 1, "python3", std::string("python3\0run.py\0--queue\0", 24)},
      {21, 20, "sh", ""},         // joins jobs, found by cmdline
      {22, 1, "cron", ""},
      {23, 1, "webapp", ""},      // {{.Comm}}, an entry without children
      {24, 23, "helper", ""},     // so in no group
      {30, 999, "orphan", ""},    // its parent is not in /proc
  };
  std::map<int, std::uint64_t> threads;  // pid -> its thread count
  for (std::size_t i = 0; i < processes.size(); ++i) {
    const Fixture& p = processes[i];
    threads[p.pid] = std::uint64_t{1} << i;
    const std::string dir = std::to_string(p.pid);
    tree.Write(dir + "/stat", dir + " (" + p.comm + ") S " + std::to_string(p.ppid) +
                                  " 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 " +
                                  std::to_string(threads[p.pid]) + " 0 " +
                                  std::to_string(100 + i) + " 1000 25 0\n");
    tree.Write(dir + "/cmdline", p.cmdline);
  }
  const auto groups = config::Parse(R"json({"process_groups": [
      {"name": "web", "comm": "^web$", "children": true},
      {"name": "db", "comm": "^db$"},
      {"name": "jobs", "cmdline": "--queue", "children": true},
      {"name": "{{.Comm}}", "comm": "^(cron|web)"}]})json",
                                    "test", kNoEnv)
                          .process_groups;
  const procfs::ProcFs proc = testing::OpenProcFs(tree.path());

  collectors::ProcessCollector collector(proc, groups, {});
  collectors::MetricSink sink;
  auto collected = collector.Collect(sink);
  INFO((collected ? std::string() : collected.error().ToString()));
  REQUIRE(collected);
  std::map<std::string, double> collector_threads;  // group -> num_threads
  for (const auto& family : sink.Take()) {
    if (family.name == "namedprocess_namegroup_num_threads") {
      for (const auto& m : family.metric) {
        collector_threads[m.label.at(0).value] = m.gauge.value;
      }
    }
  }

  const std::map<std::string, std::vector<int>> expected = {
      {"web", {5, 10, 11, 14}}, {"db", {12}}, {"jobs", {20, 21}}, {"cron", {22}},
      {"webapp", {23}}};
  REQUIRE(collector_threads.size() == expected.size());
  for (const auto& [group, pids] : expected) {
    std::string error;
    const auto members = actions::FindGroup(proc, groups, group, &error);
    REQUIRE(error.empty());
    std::vector<int> found;
    double sum = 0;
    for (const auto& m : members) {
      found.push_back(m.pid);
      sum += static_cast<double>(threads.at(m.pid));
    }
    INFO("group " << group);
    CHECK(found == pids);
    CHECK(collector_threads.at(group) == sum);
  }
}
