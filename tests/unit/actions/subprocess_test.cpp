// RunCommand on real processes: exit codes, timeouts that kill the whole
// process group, capped output, commands that cannot start.

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "agent/actions/subprocess.h"

using namespace vitals::actions;
using namespace std::chrono_literals;
using O = CommandResult::Outcome;

TEST_CASE("RunCommand: exit code and output, no shell", "[actions]") {
  auto r = RunCommand({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, 5s, 4096);
  REQUIRE(r.outcome == O::kExited);
  REQUIRE(r.code == 3);
  REQUIRE(r.output == "out\nerr\n");
  REQUIRE_FALSE(r.ok());
  auto ok = RunCommand({"true"}, 5s, 4096);  // found on PATH
  REQUIRE(ok.ok());
  // Arguments are not interpreted by a shell.
  auto echo = RunCommand({"echo", "$HOME;", "`id`"}, 5s, 4096);
  REQUIRE(echo.output == "$HOME; `id`\n");
}

TEST_CASE("RunCommand: a command that cannot start is a failure, not a hang", "[actions]") {
  auto r = RunCommand({"/nonexistent/vitals-action"}, 5s, 4096);
  REQUIRE(r.outcome == O::kStartFailed);
  REQUIRE(r.Describe().find("cannot start") != std::string::npos);
  REQUIRE(RunCommand({}, 5s, 10).outcome == O::kStartFailed);
}

TEST_CASE("RunCommand: at the timeout the whole process group is killed", "[actions]") {
  char dir[] = "/tmp/vitals-subprocess-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string pidfile = std::string(dir) + "/grandchild";
  // The grandchild ignores TERM and would outlive a kill of its parent only.
  const auto started = std::chrono::steady_clock::now();
  auto r = RunCommand({"/bin/sh", "-c",
                       "trap '' TERM; sleep 30 & echo $! > " + pidfile + "; wait"},
                      300ms, 4096);
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(r.outcome == O::kTimedOut);
  REQUIRE(took < 3s);
  int pid = 0;
  std::ifstream(pidfile) >> pid;
  REQUIRE(pid > 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {  // reaped by init, or a zombie of it
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    gone = !stat || line.find(") Z") != std::string::npos;
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(gone);
  std::remove(pidfile.c_str());
  rmdir(dir);
}

TEST_CASE("RunCommand: output is capped, and the rest is drained", "[actions]") {
  auto r = RunCommand({"/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; exit 0"}, 10s,
                      100);
  REQUIRE(r.ok());  // the writer was not blocked by a full pipe
  REQUIRE(r.output.size() == 100);
  REQUIRE(r.truncated);
}

TEST_CASE("RunCommand: a daemon that keeps the pipe does not hold the run", "[actions]") {
  const auto started = std::chrono::steady_clock::now();
  auto r = RunCommand({"/bin/sh", "-c", "sleep 3 & echo started"}, 10s, 4096);
  REQUIRE(r.ok());
  REQUIRE(std::chrono::steady_clock::now() - started < 2s);
  REQUIRE(r.output == "started\n");
}

TEST_CASE("RunCommand: a stop request kills the command", "[actions]") {
  std::stop_source stop;
  std::thread t([&] {
    std::this_thread::sleep_for(200ms);
    stop.request_stop();
  });
  auto r = RunCommand({"sleep", "30"}, 20s, 100, stop.get_token());
  t.join();
  REQUIRE(r.outcome == O::kStopped);
  REQUIRE(r.took < 3s);
}
