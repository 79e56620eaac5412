#include "collectors/process/process_collector.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "collectors/process/process_matcher.h"
#include "config/config.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using vitals::collectors::MetricSink;
using vitals::collectors::ProcessCollector;
using vitals::collectors::ProcessFacts;
using vitals::collectors::ProcessMatcher;
using vitals::collectors::UserNames;

namespace {

std::vector<vitals::config::ProcessGroupConfig> Groups(const std::string& json) {
  return vitals::config::Parse(json, "test", [](std::string_view) { return std::nullopt; })
      .process_groups;
}

struct Proc {
  int pid;
  std::string comm;
  int ppid = 1;
  std::uint64_t utime = 0, minflt = 0, starttime = 100, threads = 1;
  std::uint64_t read_bytes = 0;
  int fds = 3;
  char state = 'S';
  std::string cmdline;  // NUL-separated argv
};

// Writes the files the collector reads for one process into a fake /proc.
void WriteProc(const vitals::testing::TempTree& tree, const Proc& p) {
  std::string dir = std::to_string(p.pid);
  tree.Remove(dir);
  tree.Write(dir + "/stat", std::to_string(p.pid) + " (" + p.comm + ") " + p.state + " " +
                                std::to_string(p.ppid) + " 1 1 0 -1 4194560 " +
                                std::to_string(p.minflt) + " 0 0 0 " + std::to_string(p.utime) +
                                " 5 0 0 20 0 " + std::to_string(p.threads) + " 0 " +
                                std::to_string(p.starttime) +
                                " 10000000 250 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 "
                                "0 0 0 0 0 0 0 0 0 0 0 0\n");
  tree.Write(dir + "/status", "Name:\t" + p.comm + "\nState:\tS (sleeping)\nTgid:\t" +
                                  std::to_string(p.pid) + "\nPPid:\t" + std::to_string(p.ppid) +
                                  "\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n"
                                  "VmSwap:\t       8 kB\nThreads:\t" + std::to_string(p.threads) +
                                  "\nvoluntary_ctxt_switches:\t10\nnonvoluntary_ctxt_switches:\t2\n");
  tree.Write(dir + "/io", "rchar: 1\nwchar: 1\nsyscr: 1\nsyscw: 1\nread_bytes: " +
                              std::to_string(p.read_bytes) +
                              "\nwrite_bytes: 0\ncancelled_write_bytes: 0\n");
  tree.Write(dir + "/limits",
             "Limit                     Soft Limit           Hard Limit           Units     \n"
             "Max open files            1024                 4096                 files     \n");
  tree.Write(dir + "/cmdline", p.cmdline);
  tree.Mkdir(dir + "/fd");
  for (int i = 0; i < p.fds; ++i) {
    tree.Write(dir + "/fd/" + std::to_string(i), "");
  }
}

// family -> "labels" -> value, labels as "groupname=x,mode=y".
using Samples = std::map<std::string, std::map<std::string, double>>;

Samples Scrape(ProcessCollector& c) {
  MetricSink sink;
  auto r = c.Collect(sink);
  INFO((r.ok() ? std::string() : r.error().ToString()));
  REQUIRE(r.ok());
  Samples out;
  for (const auto& family : sink.Take()) {
    for (const auto& m : family.metric) {
      std::string labels;
      for (const auto& l : m.label) {
        labels += (labels.empty() ? "" : ",") + l.name + "=" + l.value;
      }
      out[family.name][labels] =
          family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return out;
}

std::string_view kNs = "namedprocess_namegroup_";

double Get(const Samples& s, std::string_view family, const std::string& labels) {
  auto f = s.find(std::string(kNs) + std::string(family));
  REQUIRE(f != s.end());
  auto v = f->second.find(labels);
  INFO(family << "{" << labels << "}");
  REQUIRE(v != f->second.end());
  return v->second;
}

vitals::procfs::ProcFs OpenTree(const vitals::testing::TempTree& tree) {
  tree.Write("stat",
             "cpu  1 2 3 4 5 6 7 0 0 0\ncpu0 1 2 3 4 5 6 7 0 0 0\nintr 10 0\nctxt 5\n"
             "btime 1700000000\nprocesses 9\nprocs_running 1\nprocs_blocked 0\n"
             "softirq 1 0 0 0 0 0 0 0 0 0 1\n");
  return vitals::testing::OpenProcFs(tree.path());
}

}  // namespace

TEST_CASE("ProcessMatcher: selectors and name templates", "[process]") {
  UserNames users;
  auto groups = Groups(R"json({"process_groups": [
      {"name": "db", "comm": "^postgres$", "user": "0"},
      {"name": "java:{{.Matches.main}}", "comm": "^java$", "cmdline": "-jar (?P<main>[^ ]+)"},
      {"name": "{{.ExeBase}}", "exe": "/bin/", "systemd_unit": "web.service"},
      {"name": "k-{{.ExeBase}}", "comm": "^kworker"},
      {"name": "{{.Comm}}", "comm": "."}
  ]})json");
  ProcessMatcher m(groups, 0);
  CHECK(m.needs_cmdline());
  CHECK(m.needs_cgroup());
  CHECK(m.needs_uid());
  std::string name;
  auto match = [&](ProcessFacts f) {
    name.clear();
    auto i = m.Match(f, users, &name);
    return i ? static_cast<int>(*i) : -1;
  };
  SECTION("all selectors of an entry must match; the first entry wins") {
    CHECK(match({1, "postgres", "postgres -D x", "postgres", 0u, ""}) == 0);
    CHECK(name == "db");
    CHECK(match({1, "postgres", "postgres -D x", "postgres", 999u, ""}) == 4);  // other user
    CHECK(name == "postgres");
  }
  SECTION("named captures feed {{.Matches.x}}") {
    CHECK(match({1, "java", "java -Xmx1g -jar app.jar", "java", 0u, ""}) == 1);
    CHECK(name == "java:app.jar");
  }
  SECTION("systemd unit is a cgroup path component; ExeBase is argv[0]'s basename") {
    CHECK(match({1, "nginx", "/usr/bin/nginx -g x", "/usr/bin/nginx", 0u,
                 "0::/system.slice/web.service\n"}) == 2);
    CHECK(name == "nginx");
    CHECK(match({1, "nginx", "/usr/bin/nginx", "/usr/bin/nginx", 0u,
                 "0::/system.slice/web.service.d\n"}) == 4);
  }
  SECTION("kernel threads: no argv, ExeBase falls back to comm") {
    CHECK(match({1, "kworker/0:1", "", "", 0u, ""}) == 3);
    CHECK(name == "k-kworker/0:1");
  }
  SECTION("invalid UTF-8 in comm becomes U+FFFD") {
    CHECK(match({1, "a\xff" "b", "", "", 0u, ""}) == 4);
    CHECK(name == "a\xef\xbf\xbd" "b");
  }
}

TEST_CASE("ToValidUtf8 and CgroupHasUnit", "[process]") {
  using vitals::collectors::ToValidUtf8;
  CHECK(ToValidUtf8("plain (x) \"q\" \\ \n") == "plain (x) \"q\" \\ \n");
  CHECK(ToValidUtf8("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(ToValidUtf8("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
  CHECK(ToValidUtf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  CHECK(ToValidUtf8("x\xe2\x82") == "x\xef\xbf\xbd\xef\xbf\xbd");  // truncated
  CHECK(vitals::collectors::CgroupHasUnit("12:cpu:/\n0::/system.slice/a.service\n", "a.service"));
  CHECK_FALSE(vitals::collectors::CgroupHasUnit("0::/system.slice/a.services\n", "a.service"));
}

TEST_CASE("ProcessCollector over a fake /proc", "[process]") {
  vitals::testing::TempTree tree;
  auto fs = OpenTree(tree);
  WriteProc(tree, {10, "app", 1, 100, 50, 100, 2, 4096, 5});
  WriteProc(tree, {11, "app", 1, 200, 60, 120, 1, 0, 4});
  WriteProc(tree, {12, "other", 1, 0, 0, 100, 1, 0, 3});
  auto groups = Groups(R"({"process_groups": [
      {"name": "{{.Comm}}", "comm": "^app$"},
      {"name": "declared", "comm": "^nothing$", "min": 1, "max": 2}
  ]})");
  ProcessCollector c(fs, groups, {});

  auto s1 = Scrape(c);
  CHECK(Get(s1, "num_procs", "groupname=app") == 2);
  CHECK(Get(s1, "num_threads", "groupname=app") == 3);
  CHECK(Get(s1, "open_filedesc", "groupname=app") == 9);
  CHECK(Get(s1, "worst_fd_ratio", "groupname=app") == Approx(5.0 / 1024));
  CHECK(Get(s1, "worst_fd_limit", "groupname=app") == 1024);
  CHECK(Get(s1, "memory_bytes", "groupname=app,memtype=resident") == 2 * 250 * 4096);
  CHECK(Get(s1, "memory_bytes", "groupname=app,memtype=swapped") == 2 * 8192);
  CHECK(Get(s1, "oldest_start_time_seconds", "groupname=app") == 1700000001.0);
  CHECK(Get(s1, "states", "groupname=app,state=Sleeping") == 2);
  CHECK(Get(s1, "num_procs", "groupname=declared") == 0);
  // Empty: no oldest process and no worst fd limit, so no series (not 0).
  CHECK(s1[std::string(kNs) + "oldest_start_time_seconds"].count("groupname=declared") == 0);
  CHECK(s1[std::string(kNs) + "worst_fd_limit"].count("groupname=declared") == 0);
  // Running at the first scan: only what happens after it counts.
  CHECK(Get(s1, "cpu_seconds_total", "groupname=app,mode=user") == 0);
  CHECK(s1.count(std::string(kNs) + "num_procs") == 1);
  CHECK(s1[std::string(kNs) + "num_procs"].count("groupname=other") == 0);
  // The health sampler reads the same numbers.
  auto values = c.Sample();
  REQUIRE(values.ok());
  REQUIRE(values->size() == 2);
  CHECK((*values)[0].name == "declared");
  CHECK((*values)[0].num_procs == 0);
  CHECK((*values)[1].name == "app");
  CHECK((*values)[1].num_procs == 2);
  CHECK((*values)[1].num_threads == 3);
  CHECK((*values)[1].open_fds == 9);

  SECTION("counters grow by each member's increase and survive its exit") {
    WriteProc(tree, {10, "app", 1, 130, 55, 100, 2, 8192, 5});
    WriteProc(tree, {11, "app", 1, 210, 60, 120, 1, 0, 4});
    auto s2 = Scrape(c);
    CHECK(Get(s2, "cpu_seconds_total", "groupname=app,mode=user") == Approx(0.4));
    CHECK(Get(s2, "minor_page_faults_total", "groupname=app") == 5);
    CHECK(Get(s2, "read_bytes_total", "groupname=app") == 4096);
    tree.Remove("10");
    auto s3 = Scrape(c);
    CHECK(Get(s3, "num_procs", "groupname=app") == 1);
    CHECK(Get(s3, "cpu_seconds_total", "groupname=app,mode=user") == Approx(0.4));
    tree.Remove("11");
    auto s4 = Scrape(c);
    CHECK(Get(s4, "num_procs", "groupname=app") == 0);  // seen once, stays
    CHECK(Get(s4, "cpu_seconds_total", "groupname=app,mode=user") == Approx(0.4));
  }
  SECTION("a reused pid is a new process: its whole usage counts, nothing goes backwards") {
    WriteProc(tree, {10, "app", 1, 7, 1, 500, 1, 0, 3});  // new start time, small counters
    auto s2 = Scrape(c);
    CHECK(Get(s2, "cpu_seconds_total", "groupname=app,mode=user") == Approx(0.07));
    CHECK(Get(s2, "num_procs", "groupname=app") == 2);
  }
  SECTION("a process that appears after the first scan counts from zero") {
    WriteProc(tree, {20, "app", 1, 300, 9, 900, 1, 0, 3});
    auto s2 = Scrape(c);
    CHECK(Get(s2, "cpu_seconds_total", "groupname=app,mode=user") == Approx(3.0));
    CHECK(Get(s2, "num_procs", "groupname=app") == 3);
  }
  SECTION("a live member whose status and io are missing stays, its unknowns left out") {
    // A kernel without task I/O accounting has no io file at all.
    tree.Remove("11/io");
    tree.Remove("11/status");
    auto s2 = Scrape(c);
    CHECK(Get(s2, "num_procs", "groupname=app") == 2);
    CHECK(Get(s2, "open_filedesc", "groupname=app") == 9);
    CHECK(Get(s2, "memory_bytes", "groupname=app,memtype=swapped") == 8192);  // 10's only
    // One process: counted once, not once per file or per scrape.
    CHECK(Get(s2, "read_errors_total", "groupname=app,reason=error") == 1);
    CHECK(Get(s2, "read_errors_total", "groupname=app,reason=vanished") == 0);
    auto s3 = Scrape(c);
    CHECK(Get(s3, "read_errors_total", "groupname=app,reason=error") == 1);
    CHECK(Get(s3, "num_procs", "groupname=app") == 2);
  }
  SECTION("a process whose stat cannot be parsed is counted, not placed") {
    tree.Write("12/stat", "12 (other\n");
    tree.Write("11/stat", "11 (app) S garbage\n");  // a member: its group knows
    auto s2 = Scrape(c);
    CHECK(s2.at("vitals_process_groups_unreadable_total").at("") == 2);
    CHECK(Get(s2, "num_procs", "groupname=app") == 1);
    CHECK(Get(s2, "read_errors_total", "groupname=app,reason=error") == 1);
    auto s3 = Scrape(c);  // still unreadable: the same processes, not counted again
    CHECK(s3.at("vitals_process_groups_unreadable_total").at("") == 2);
    CHECK(Get(s3, "read_errors_total", "groupname=app,reason=error") == 1);
  }
  SECTION("an unreadable fd/ leaves the process out of open_filedesc and counts it") {
    if (::geteuid() == 0) {
      WARN("running as root: permissions cannot make fd/ unreadable; covered by non-root runs");
      return;
    }
    std::filesystem::permissions(tree.path() / "11/fd", std::filesystem::perms::none);
    auto s2 = Scrape(c);
    CHECK(Get(s2, "num_procs", "groupname=app") == 2);
    CHECK(Get(s2, "open_filedesc", "groupname=app") == 5);
    CHECK(Get(s2, "read_errors_total", "groupname=app,reason=permission") == 1);
  }
}

TEST_CASE("ProcessCollector: children roll up, the group count is bounded", "[process]") {
  vitals::testing::TempTree tree;
  auto fs = OpenTree(tree);
  WriteProc(tree, {10, "srv", 1});
  WriteProc(tree, {11, "helper", 10});
  WriteProc(tree, {5, "grandkid", 11});  // a lower pid than its parent: pid wrap
  WriteProc(tree, {12, "lonely", 1});
  WriteProc(tree, {20, "a"});
  WriteProc(tree, {21, "b"});
  WriteProc(tree, {22, "c"});
  auto groups = Groups(R"({"process_groups": [
      {"name": "srv", "comm": "^srv$", "children": true},
      {"name": "{{.Comm}}", "comm": "^[abc]$"}
  ], "process_collector": {"max_groups": 3}})");
  ProcessCollector c(fs, groups, {3, false});
  auto s = Scrape(c);
  CHECK(Get(s, "num_procs", "groupname=srv") == 3);
  CHECK(Get(s, "num_procs", "groupname=a") == 1);
  CHECK(Get(s, "num_procs", "groupname=b") == 1);
  CHECK(Get(s, "num_procs", "groupname=_overflow") == 1);
  CHECK(s.at("vitals_process_groups_folded_total").at("") == 1);
}

TEST_CASE("ProcessCollector: folding into the overflow group is logged once per event",
          "[process]") {
  vitals::testing::TempTree tree;
  auto fs = OpenTree(tree);
  for (int pid = 20; pid < 25; ++pid) {
    WriteProc(tree, {pid, std::string(1, static_cast<char>('a' + pid - 20))});
  }
  const auto groups = Groups(R"({"process_groups": [{"name": "{{.Comm}}", "comm": "^[a-z]$"}]})");
  std::vector<std::string> warnings;
  ProcessCollector c(fs, groups, {2, false}, nullptr,
                     [&](const std::string& w) { warnings.push_back(w); });
  REQUIRE(warnings.size() == 1);  // the first scan folds c, d and e
  CHECK(warnings[0] ==
        "more groups than process_collector.max_groups (2): 3 processes put into the _overflow "
        "group; vitals_process_groups_folded_total counts the later ones (logged again after a "
        "reload only)");
  WriteProc(tree, {25, "f"});
  for (int i = 0; i < 3; ++i) {
    (void)Scrape(c);  // f folds too: counted, not logged
  }
  CHECK(warnings.size() == 1);
  CHECK(Get(Scrape(c), "num_procs", "groupname=_overflow") == 4);
  c.Apply(groups, {3, false});  // a new event: d, e and f fold under the new limit
  REQUIRE(warnings.size() == 2);
  CHECK_THAT(warnings[1], Catch::Contains("max_groups (3): 3 processes"));
}

TEST_CASE("ProcessCollector: a member that exits between the pass and its other files",
          "[process]") {
  vitals::testing::TempTree tree;
  auto fs = OpenTree(tree);
  WriteProc(tree, {10, "app"});
  WriteProc(tree, {11, "app"});
  auto table = std::make_shared<vitals::collectors::ProcessTable>(fs);
  ProcessCollector c(fs, Groups(R"({"process_groups": [{"name": "app", "comm": "^app$"}]})"), {},
                     table);
  vitals::collectors::ProcessTable::Cursor cursor;
  table->Expire();
  REQUIRE(table->Read(cursor).ok());  // "processes" read both stats in this scrape...
  tree.Remove("11");                  // ...then 11 exited
  auto s = Scrape(c);
  CHECK(Get(s, "num_procs", "groupname=app") == 1);
  CHECK(Get(s, "read_errors_total", "groupname=app,reason=vanished") == 1);
}

TEST_CASE("ProcessCollector: Apply re-groups in place (config reload)", "[process]") {
  vitals::testing::TempTree tree;
  auto fs = OpenTree(tree);
  WriteProc(tree, {10, "api", 1, 100});
  WriteProc(tree, {11, "worker", 1, 100});
  WriteProc(tree, {12, "cron", 1, 100});
  ProcessCollector c(fs, Groups(R"({"process_groups": [
      {"name": "api", "comm": "^api$"},
      {"name": "old", "comm": "^worker$"}
  ]})"), {});
  WriteProc(tree, {10, "api", 1, 150});
  WriteProc(tree, {11, "worker", 1, 130});
  auto s1 = Scrape(c);
  CHECK(Get(s1, "cpu_seconds_total", "groupname=api,mode=user") == Approx(0.5));
  CHECK(Get(s1, "cpu_seconds_total", "groupname=old,mode=user") == Approx(0.3));

  auto warnings = c.Apply(Groups(R"({"process_groups": [
      {"name": "api", "comm": "^(api|worker)$"},
      {"name": "cron", "comm": "^cron$"},
      {"name": "batch", "comm": "^batch$"}
  ]})"), {});
  CHECK(warnings.empty());
  WriteProc(tree, {10, "api", 1, 160});
  WriteProc(tree, {11, "worker", 1, 170});
  WriteProc(tree, {12, "cron", 1, 400});
  auto s2 = Scrape(c);
  // api keeps its counter and gains what both members did after the reload;
  // the worker's 0.3 s under "old" is not counted again.
  CHECK(Get(s2, "num_procs", "groupname=api") == 2);
  CHECK(Get(s2, "cpu_seconds_total", "groupname=api,mode=user") == Approx(0.5 + 0.1 + 0.4));
  // cron was running before the reload: only what it does after it counts.
  CHECK(Get(s2, "num_procs", "groupname=cron") == 1);
  CHECK(Get(s2, "cpu_seconds_total", "groupname=cron,mode=user") == Approx(3.0));
  CHECK(Get(s2, "num_procs", "groupname=batch") == 0);  // declared: there from the reload
  CHECK(s2.at(std::string(kNs) + "num_procs").count("groupname=old") == 0);  // gone

  SECTION("a group that comes back after a reload continues its counters") {
    c.Apply(Groups(R"({"process_groups": [{"name": "{{.Comm}}", "comm": "^(worker|api)$"}]})"),
            {});
    WriteProc(tree, {11, "worker", 1, 200});
    auto s3 = Scrape(c);
    CHECK(Get(s3, "cpu_seconds_total", "groupname=api,mode=user") == Approx(1.0));
    CHECK(Get(s3, "cpu_seconds_total", "groupname=worker,mode=user") == Approx(0.3));
  }
  SECTION("from the agent alone to the whole machine: running processes start at zero") {
    c.Apply(vitals::config::DefaultConfig().process_groups, {});
    CHECK(c.self_only());
    c.Apply(Groups(R"({"process_groups": [{"name": "all", "comm": "."}]})"), {});
    CHECK_FALSE(c.self_only());
    WriteProc(tree, {12, "cron", 1, 450});
    auto s3 = Scrape(c);
    CHECK(Get(s3, "num_procs", "groupname=all") == 3);
    CHECK(Get(s3, "cpu_seconds_total", "groupname=all,mode=user") == Approx(0.5));
  }
}

TEST_CASE("ProcessCollector: a group the reload does not produce is let go", "[process]") {
  // The old groups are kept only for the reload's own scan: a group produced
  // only later starts from zero (a counter reset) instead of holding every
  // old group of a large config until the next reload.
  vitals::testing::TempTree tree;
  auto fs = OpenTree(tree);
  WriteProc(tree, {10, "api", 1, 100});
  WriteProc(tree, {12, "cron", 1, 100});
  const char* by_comm = R"({"process_groups": [{"name": "{{.Comm}}", "comm": "^(api|cron)$"}]})";
  ProcessCollector c(fs, Groups(by_comm), {});
  WriteProc(tree, {12, "cron", 1, 200});
  CHECK(Get(Scrape(c), "cpu_seconds_total", "groupname=cron,mode=user") == Approx(1.0));
  tree.Remove("12");  // cron exits; its group stays with num_procs 0
  CHECK(Get(Scrape(c), "num_procs", "groupname=cron") == 0);

  c.Apply(Groups(R"({"process_groups": [{"name": "{{.Comm}}", "comm": "^(api|cron)$"},
                                        {"name": "other", "comm": "^other$"}]})"),
          {});
  auto s = Scrape(c);
  CHECK(s.at(std::string(kNs) + "num_procs").count("groupname=cron") == 0);
  WriteProc(tree, {13, "cron", 1, 50, 0, 300});  // a new cron, started after the reload
  CHECK(Get(Scrape(c), "cpu_seconds_total", "groupname=cron,mode=user") == Approx(0.5));
}

// Run under the tsan preset: the scrape (Collect), the health sampler
// (Sample) and a reload (Apply) come from three threads.
TEST_CASE("ProcessCollector: scrape, sampler and reload from three threads", "[process]") {
  vitals::testing::TempTree tree;
  auto fs = OpenTree(tree);
  for (int pid = 10; pid < 30; ++pid) {
    WriteProc(tree, {pid, pid % 2 ? "odd" : "even", 1, static_cast<std::uint64_t>(pid)});
  }
  const auto by_comm = Groups(R"({"process_groups": [{"name": "{{.Comm}}", "comm": "."}]})");
  const auto one = Groups(R"({"process_groups": [{"name": "all", "comm": "."}]})");
  ProcessCollector c(fs, by_comm, {});
  std::atomic<bool> stop{false};
  std::atomic<int> scrapes{0}, samples{0};
  std::thread scraper([&] {
    while (!stop) {
      MetricSink sink;
      if (c.Collect(sink).ok()) {
        ++scrapes;
      }
    }
  });
  std::thread sampler([&] {
    while (!stop) {
      auto values = c.Sample();
      if (values.ok() && !values->empty()) {
        ++samples;
      }
    }
  });
  for (int i = 0; i < 50; ++i) {
    c.Apply(i % 2 ? by_comm : one, {});
  }
  while (scrapes < 20 || samples < 20) {
    std::this_thread::yield();
  }
  stop = true;
  scraper.join();
  sampler.join();
  c.Apply(by_comm, {});
  auto s = Scrape(c);
  CHECK(Get(s, "num_procs", "groupname=odd") == 10);
  CHECK(Get(s, "num_procs", "groupname=even") == 10);
}
