// The signal action on real processes: TERM honoured within the grace, a
// process that ignores TERM gets KILL, a reused pid is never signalled, and
// the group is found the way the process collector groups processes (the two
// compared on a fixture /proc in tests/unit/agent/process_grouping_test.cpp,
// which links both).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "agent/actions/group_signal.h"
#include "config/config.h"

using namespace vitals;
using namespace std::chrono_literals;

namespace {

const config::EnvLookup kNoEnv = [](std::string_view) -> std::optional<std::string> {
  return std::nullopt;
};

// A copy of sleep(1) under a name of its own, so /proc/<pid>/comm is unique.
struct Sleeper {
  std::filesystem::path dir, exe;
  std::string comm;
  Sleeper() {
    char tmpl[] = "/tmp/vitals-sig-XXXXXX";
    dir = mkdtemp(tmpl);
    comm = "vhs" + std::to_string(getpid());
    exe = dir / comm;
    std::filesystem::copy_file("/bin/sleep", exe);
    std::filesystem::permissions(exe, std::filesystem::perms::owner_all);
  }
  ~Sleeper() { std::filesystem::remove_all(dir); }
  // ignore_term: SIG_IGN survives exec, so the sleeper ignores TERM.
  pid_t Start(bool ignore_term) const {
    pid_t pid = fork();
    if (pid == 0) {
      signal(SIGTERM, ignore_term ? SIG_IGN : SIG_DFL);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execl(exe.c_str(), comm.c_str(), "30", nullptr);
      _exit(127);
    }
    return pid;
  }
};

procfs::ProcFs Proc() {
  auto p = procfs::ProcFs::Open("/proc", procfs::SystemInfo{4096, 100});
  REQUIRE(p);
  return std::move(*p);
}

std::vector<config::ProcessGroupConfig> Groups(const std::string& comm) {
  return config::Parse(R"({"process_groups": [{"name": "sleepers", "comm": "^)" + comm +
                           R"($"}, {"name": "{{.Comm}}", "comm": "."}]})",
                       "test", kNoEnv)
      .process_groups;
}

std::vector<actions::Member> WaitForMembers(const procfs::ProcFs& proc,
                                            const std::vector<config::ProcessGroupConfig>& g,
                                            std::size_t n) {
  std::vector<actions::Member> members;
  for (int i = 0; i < 200; ++i) {  // until exec has happened
    std::string error;
    members = actions::FindGroup(proc, g, "sleepers", &error);
    REQUIRE(error.empty());
    if (members.size() == n) {
      break;
    }
    usleep(10'000);
  }
  return members;
}

}  // namespace

TEST_CASE("signal: TERM is honoured within the grace", "[actions]") {
  Sleeper s;
  auto proc = Proc();
  REQUIRE(actions::SamePidNamespace(proc));
  const auto groups = Groups(s.comm);
  pid_t a = s.Start(false), b = s.Start(false);
  auto members = WaitForMembers(proc, groups, 2);
  REQUIRE(members.size() == 2);
  REQUIRE(((members[0].pid == a && members[1].pid == b) ||
           (members[0].pid == b && members[1].pid == a)));
  const auto started = std::chrono::steady_clock::now();
  auto out = actions::SignalMembers(proc, members, SIGTERM, 5s);
  REQUIRE(std::chrono::steady_clock::now() - started < 2s);  // did not sit out the grace
  REQUIRE(out.ok());
  REQUIRE(out.signalled == 2);
  REQUIRE(out.exited == 2);
  REQUIRE(out.killed == 0);
  int status = 0;
  REQUIRE(waitpid(a, &status, 0) == a);
  REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM));
  REQUIRE(waitpid(b, &status, 0) == b);
}

TEST_CASE("signal: a process that ignores TERM gets KILL after the grace", "[actions]") {
  Sleeper s;
  auto proc = Proc();
  const auto groups = Groups(s.comm);
  pid_t stubborn = s.Start(true);
  auto members = WaitForMembers(proc, groups, 1);
  REQUIRE(members.size() == 1);
  const auto started = std::chrono::steady_clock::now();
  auto out = actions::SignalMembers(proc, members, SIGTERM, 300ms);
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(took >= 300ms);
  REQUIRE(out.ok());
  REQUIRE(out.exited == 0);
  REQUIRE(out.killed == 1);
  int status = 0;
  REQUIRE(waitpid(stubborn, &status, 0) == stubborn);
  REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
}

TEST_CASE("signal: a member whose pid was reused is not signalled", "[actions]") {
  Sleeper s;
  auto proc = Proc();
  pid_t pid = s.Start(false);
  auto members = WaitForMembers(proc, Groups(s.comm), 1);
  REQUIRE(members.size() == 1);
  members[0].starttime += 1;  // as if another process now had this pid
  auto out = actions::SignalMembers(proc, members, SIGTERM, 100ms);
  REQUIRE(out.signalled == 0);
  REQUIRE(kill(pid, 0) == 0);  // untouched
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

TEST_CASE("signal: processes matched by an earlier entry are not in the group", "[actions]") {
  Sleeper s;
  auto proc = Proc();
  // Entry 0 takes everything named like the sleeper; "sleepers" comes second.
  auto groups = config::Parse(R"({"process_groups": [{"name": "first", "comm": "^)" + s.comm +
                                  R"($"}, {"name": "sleepers", "comm": "^)" + s.comm + R"($"}]})",
                              "test", kNoEnv)
                    .process_groups;
  pid_t pid = s.Start(false);
  usleep(100'000);
  std::string error;
  REQUIRE(actions::FindGroup(proc, groups, "sleepers", &error).empty());
  REQUIRE(actions::FindGroup(proc, groups, "first", &error).size() == 1);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}
