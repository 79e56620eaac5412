#include "agent/lifecycle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "agent/log/log.h"

using vitals::Lifecycle;
using namespace std::chrono_literals;

namespace {

struct Outcome {
  int status = 0;  // from waitpid
  std::chrono::milliseconds took{0};
  std::string log;  // the child's stderr
};

// Runs `body` in a child process with the stop signals blocked (as main()
// does before any thread starts) and its stderr captured; the child ends with
// _exit(0) when `body` returns. Waits at most 10 s.
Outcome InChild(const std::function<void()>& body) {
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  const auto started = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(out[1], STDERR_FILENO);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    vitals::log::Configure(vitals::log::Level::kInfo, vitals::log::Format::kLogfmt);
    body();
    ::_exit(0);
  }
  ::close(out[1]);
  Outcome o;
  char buf[4096];
  pollfd p{out[0], POLLIN, 0};
  while (std::chrono::steady_clock::now() - started < 10s && ::poll(&p, 1, 100) >= 0) {
    if ((p.revents & (POLLIN | POLLHUP)) != 0) {
      const ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) {
        break;  // the child and every copy of its stderr are gone
      }
      o.log.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(out[0]);
  while (::waitpid(pid, &o.status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() - started > 10s) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &o.status, 0);
      FAIL("the child did not end within 10 s:\n" << o.log);
    }
    ::usleep(10'000);
  }
  o.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return o;
}

}  // namespace

TEST_CASE("Lifecycle: SIGHUP is a reload, SIGTERM a stop that ends in time", "[agent]") {
  auto o = InChild([] {
    Lifecycle lifecycle(2s);
    ::kill(::getpid(), SIGHUP);
    if (lifecycle.Next() != Lifecycle::Event::kReload) {
      ::_exit(2);
    }
    ::kill(::getpid(), SIGTERM);
    if (lifecycle.Next() != Lifecycle::Event::kStop || lifecycle.Next() != Lifecycle::Event::kStop) {
      ::_exit(3);
    }
    lifecycle.Stage("stopping something quick");
    lifecycle.Stopped();
  });
  INFO(o.log);
  REQUIRE(WIFEXITED(o.status));
  CHECK(WEXITSTATUS(o.status) == 0);
  CHECK_THAT(o.log, Catch::Contains("msg=\"shutting down\" signal=SIGTERM"));
  CHECK_THAT(o.log, !Catch::Contains("timed out"));
}

TEST_CASE("Lifecycle: a stop that hangs ends the process at the grace, naming the stage, "
          "and kills every process below it", "[agent]") {
  // The grandchild is reparented to this test process instead of init, so
  // that it can be waited for.
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  int pid_pipe[2];
  REQUIRE(::pipe2(pid_pipe, O_CLOEXEC) == 0);
  auto o = InChild([&] {
    Lifecycle lifecycle(300ms);
    // A command in a session of its own, as a probe or an action runs one.
    const pid_t command = ::fork();
    if (command == 0) {
      ::setsid();
      ::pause();
      ::_exit(0);
    }
    (void)!::write(pid_pipe[1], &command, sizeof command);
    ::kill(::getpid(), SIGTERM);
    (void)lifecycle.Next();
    lifecycle.Stage("the stuck component");
    ::pause();  // never calls Stopped()
  });
  pid_t command = 0;
  REQUIRE(::read(pid_pipe[0], &command, sizeof command) == sizeof command);
  ::close(pid_pipe[0]);
  ::close(pid_pipe[1]);
  int command_status = 0;
  REQUIRE(::waitpid(command, &command_status, 0) == command);
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  INFO(o.log);
  REQUIRE(WIFEXITED(o.status));
  CHECK(WEXITSTATUS(o.status) == 1);
  CHECK(o.took < 2s);
  CHECK_THAT(o.log, Catch::Contains("msg=\"shutdown timed out\" waiting_for=\"the stuck "
                                    "component\" grace=300ms processes_killed=1"));
  CHECK((WIFSIGNALED(command_status) && WTERMSIG(command_status) == SIGKILL));
}
