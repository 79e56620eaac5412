// RunCommand on real processes: exit codes, capped output, commands that
// cannot start, and kills of the whole process tree (setsid() and double
// forks included) at the deadline, on a stop request, for leftovers, and at
// exit (KillAllChildren, last: it closes the runner for this process).

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/platform/process_tree.h"
#include "agent/platform/subprocess.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::platform;
using namespace std::chrono_literals;
using O = CommandResult::Outcome;

namespace {

CommandResult Run(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                  std::size_t cap = 4096, Command::Leftovers leftovers = Command::Leftovers::kKill,
                  std::stop_token stop = {}) {
  return RunCommand(
      {std::move(argv), std::chrono::steady_clock::now() + timeout, stop, cap, leftovers});
}

// True while `pid` exists and is not a zombie.
bool Alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) {
    return false;
  }
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

// Waits up to 2 s for every pid to be gone (a killed process is a zombie
// until its parent reaps it).
bool AllGone(const std::vector<int>& pids) {
  for (int i = 0; i < 200; ++i) {
    bool any = false;
    for (int pid : pids) {
      any = any || Alive(pid);
    }
    if (!any) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// The pids a command wrote into `path`, one per line; waits for `count` of them.
std::vector<int> ReadPids(const std::string& path, std::size_t count) {
  std::vector<int> pids;
  for (int i = 0; i < 300 && pids.size() < count; ++i) {
    pids.clear();
    std::ifstream in(path);
    for (int pid; in >> pid;) {
      pids.push_back(pid);
    }
    if (pids.size() < count) {
      std::this_thread::sleep_for(10ms);
    }
  }
  return pids;
}

// A shell line that starts `sleep 60` in a new session whose parent exits at
// once (so it is orphaned and left its process group and session), and one
// in the shell's group; both ignore SIGTERM; their pids go to `pids`.
std::string Escapees(const std::string& pids) {
  return "trap '' TERM; (setsid sleep 60 & echo $! >> " + pids + "); sleep 60 & echo $! >> " +
         pids + "; ";
}

}  // namespace

TEST_CASE("RunCommand: exit code and output, no shell", "[platform]") {
  auto r = Run({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, 5s);
  REQUIRE(r.outcome == O::kExited);
  REQUIRE(r.code == 3);
  REQUIRE(r.output == "out\nerr\n");
  REQUIRE(r.pid > 0);
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.Describe() == "exit 3");
  auto ok = Run({"true"}, 5s);  // found on PATH
  REQUIRE(ok.ok());
  // Arguments are not interpreted by a shell.
  auto echo = Run({"echo", "$HOME;", "`id`"}, 5s);
  REQUIRE(echo.output == "$HOME; `id`\n");
  auto signalled = Run({"/bin/sh", "-c", "kill -KILL $$"}, 5s);
  REQUIRE(signalled.outcome == O::kSignaled);
  REQUIRE(signalled.code == SIGKILL);
}

TEST_CASE("RunCommand: the command starts with default signals and no agent descriptors",
          "[platform]") {
  // The agent ignores SIGPIPE and blocks its stop signals in every thread.
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  auto r = Run({"/bin/sh", "-c", "grep -E '^(SigBlk|SigIgn)' /proc/self/status; ls /proc/self/fd"},
               5s);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_DFL);
  REQUIRE(r.ok());
  CHECK(r.output.find("SigBlk:\t0000000000000000") != std::string::npos);
  CHECK(r.output.find("SigIgn:\t0000000000000000") != std::string::npos);
  // ls's own directory fd aside: 0, 1, 2 and nothing else.
  CHECK(r.output.find("\n0\n1\n2\n3\n") != std::string::npos);
  CHECK(r.output.find("\n4\n") == std::string::npos);
}

TEST_CASE("RunCommand: a command that cannot start is a failure, not a hang", "[platform]") {
  auto r = Run({"/nonexistent/vitals-action"}, 5s);
  REQUIRE(r.outcome == O::kStartFailed);
  REQUIRE(r.Describe() == "cannot start: No such file or directory");
  auto path = Run({"vitals-no-such-program"}, 5s);
  REQUIRE(path.Describe() == "cannot start: No such file or directory");
  auto dir = Run({"/tmp"}, 5s);
  REQUIRE(dir.Describe() == "cannot start: Permission denied");
  REQUIRE(Run({}, 5s).outcome == O::kStartFailed);
}

TEST_CASE("RunCommand: at the deadline the whole tree is killed, setsid and orphans included",
          "[platform]") {
  vitals::testing::TempTree tree;
  const std::string pids = (tree.path() / "pids").string();
  const auto started = std::chrono::steady_clock::now();
  auto r = Run({"/bin/sh", "-c", Escapees(pids) + "echo $$ >> " + pids + "; echo started; wait"},
               500ms);
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(r.outcome == O::kTimedOut);
  CHECK(took >= 500ms);
  CHECK(took < 800ms);
  CHECK(r.output == "started\n");
  CHECK(r.killed == 3);  // the shell and both sleeps
  CHECK(r.Describe().find("; killed its process tree (3 processes)") != std::string::npos);
  const auto escaped = ReadPids(pids, 3);
  REQUIRE(escaped.size() == 3);
  CHECK(AllGone(escaped));
}

TEST_CASE("RunCommand: a deadline that passes before the command starts leaves nothing",
          "[platform]") {
  // The keeper may start the command after the first kill's scan.
  for (int i = 0; i < 20; ++i) {
    auto r = Run({"sleep", "30"}, 0ms);
    REQUIRE(r.outcome == O::kTimedOut);
  }
  std::vector<int> left;
  for (const ProcessId& p : Descendants(::getpid())) {
    left.push_back(p.pid);
  }
  CHECK(AllGone(left));
}

TEST_CASE("RunCommand: what a command leaves running is killed, or kept", "[platform]") {
  vitals::testing::TempTree tree;
  const std::string pids = (tree.path() / "pids").string();
  SECTION("killed (exec checks)") {
    auto r = Run({"/bin/sh", "-c", Escapees(pids) + "echo done"}, 5s);
    REQUIRE(r.ok());
    CHECK(r.output == "done\n");
    CHECK(r.killed == 2);
    const auto left = ReadPids(pids, 2);
    REQUIRE(left.size() == 2);
    CHECK(AllGone(left));
  }
  SECTION("kept (actions): the run ends when the command exits") {
    const auto started = std::chrono::steady_clock::now();
    // The daemon keeps the output pipe open; the run must not wait for it.
    auto r = Run({"/bin/sh", "-c", Escapees(pids) + "echo started"}, 10s, 4096,
                 Command::Leftovers::kKeep);
    REQUIRE(r.ok());
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK(r.output == "started\n");
    CHECK(r.killed == 0);
    const auto left = ReadPids(pids, 2);
    REQUIRE(left.size() == 2);
    CHECK(Alive(left[0]));
    CHECK(Alive(left[1]));
    for (int pid : left) {
      ::kill(pid, SIGKILL);  // their keeper reaps them, the reaper thread reaps the keeper
    }
    CHECK(AllGone(left));
  }
}

TEST_CASE("RunCommand: output is capped, and the rest is drained", "[platform]") {
  auto r = Run({"/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; exit 0"}, 10s, 100);
  REQUIRE(r.ok());  // the writer was not blocked by a full pipe
  REQUIRE(r.output.size() == 100);
  REQUIRE(r.output_bytes == 1000000);
  REQUIRE(r.truncated());
}

TEST_CASE("RunCommand: a stop request kills the command", "[platform]") {
  std::stop_source stop;
  std::thread t([&] {
    std::this_thread::sleep_for(200ms);
    stop.request_stop();
  });
  auto r = Run({"sleep", "30"}, 20s, 100, Command::Leftovers::kKill, stop.get_token());
  t.join();
  REQUIRE(r.outcome == O::kStopped);
  REQUIRE(r.took < 1s);
  REQUIRE(r.killed == 1);
  REQUIRE_FALSE(Alive(r.pid));
}

// Last in this file: KillAllChildren closes the runner for the process.
TEST_CASE("KillAllChildren: kills what actions kept and orphans of a killed keeper",
          "[platform]") {
  REQUIRE(BecomeChildSubreaper().empty());
  vitals::testing::TempTree tree;
  const std::string pids = (tree.path() / "pids").string();
  auto kept = Run({"/bin/sh", "-c", Escapees(pids) + "true"}, 10s, 4096, Command::Leftovers::kKeep);
  REQUIRE(kept.ok());
  // A keeper killed by someone else: its command goes to the subreaper.
  const std::string lost_pids = (tree.path() / "lost").string();
  std::thread killer([&] {
    // The keeper of the second run is the parent of the shell that wrote its pid.
    const auto shell = ReadPids(lost_pids, 1);
    std::ifstream stat("/proc/" + std::to_string(shell.empty() ? 0 : shell[0]) + "/stat");
    std::string text;
    std::getline(stat, text);
    const auto paren = text.rfind(')');
    const int keeper = paren == std::string::npos ? 0 : std::stoi(text.substr(paren + 4));
    std::ifstream comm("/proc/" + std::to_string(keeper) + "/comm");
    std::string name;
    std::getline(comm, name);
    if (name == "vitals-run") {
      ::kill(keeper, SIGKILL);
    }
  });
  auto lost = Run({"/bin/sh", "-c", "trap '' TERM; echo $$ > " + lost_pids + "; sleep 60"}, 10s);
  killer.join();
  REQUIRE(lost.outcome == O::kLost);
  CHECK(lost.Describe().find("lost: its keeper process ") == 0);
  auto left = ReadPids(pids, 2);
  REQUIRE(left.size() == 2);
  left.push_back(lost.pid);
  for (int pid : left) {
    CHECK(Alive(pid));
  }
  CHECK(KillAllChildren() == 5);  // 2 kept + their keeper, the orphaned shell and its sleep
  CHECK(AllGone(left));
  CHECK(Children(::getpid()).empty());  // all reaped
  CHECK(Run({"true"}, 5s).outcome == O::kStopped);
}
