#include "agent/actions/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace vitals::actions {

namespace {

// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  void Close() {
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }
};

// Reads what the pipe holds without blocking; keeps up to `cap` bytes.
// Returns false at EOF or on an error other than EAGAIN.
bool Drain(int fd, std::size_t cap, CommandResult* r) {
  std::array<char, 4096> buf;
  for (int i = 0; i < 256; ++i) {  // bounded: at most 1 MiB per call
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n == 0) {
      return false;
    }
    if (n < 0) {
      return errno == EAGAIN || errno == EINTR;
    }
    const std::size_t got = static_cast<std::size_t>(n);
    const std::size_t room = cap > r->output.size() ? cap - r->output.size() : 0;
    r->output.append(buf.data(), std::min(room, got));
    r->truncated = r->truncated || got > room;
  }
  return true;
}

}  // namespace

std::string CommandResult::Describe() const {
  switch (outcome) {
    case Outcome::kExited: return "exit " + std::to_string(code);
    case Outcome::kSignaled: return "killed by signal " + std::to_string(code);
    case Outcome::kTimedOut:
      return "timed out after " +
             std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()) +
             "ms; its process group was killed";
    case Outcome::kStartFailed: return "cannot start: " + error;
    case Outcome::kStopped: return "stopped: the agent is shutting down";
  }
  return "unknown";
}

CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         std::size_t output_cap, std::stop_token stop) {
  CommandResult r;
  const auto started = std::chrono::steady_clock::now();
  if (argv.empty() || argv.front().empty()) {
    r.error = "empty command";
    return r;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  Fd read_end(fds[0]), write_end(fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.fd, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // CivetWeb's sockets are not CLOEXEC
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);  // the agent blocks signals in its threads
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = -1;
  const int err = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  write_end.Close();
  if (err != 0) {
    r.error = std::strerror(err);
    r.took = std::chrono::steady_clock::now() - started;
    return r;
  }
  ::fcntl(read_end.fd, F_SETFL, O_NONBLOCK);
  // glibc 2.36's <sys/pidfd.h> lacks extern "C"; the system call is plain.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  const auto deadline = started + timeout;
  bool pipe_open = true;
  bool exited = false;
  int status = 0;
  while (true) {
    if (pidfd.fd < 0) {  // no pidfd (old kernel): poll waitpid
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        exited = true;
        break;
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline || stop.stop_requested()) {
      break;
    }
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    wait_ms = std::min<long long>(wait_ms + 1, pidfd.fd < 0 ? 20 : 100);  // stop is polled
    pollfd p[2] = {{pidfd.fd, POLLIN, 0}, {pipe_open ? read_end.fd : -1, POLLIN, 0}};
    int n = ::poll(p, 2, static_cast<int>(wait_ms));
    if (n < 0 && errno != EINTR) {
      break;
    }
    if (pipe_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      pipe_open = Drain(read_end.fd, output_cap, &r);
    }
    if ((p[0].revents & POLLIN) != 0 && ::waitpid(pid, &status, 0) == pid) {
      exited = true;
      break;
    }
  }
  if (!exited) {
    ::kill(-pid, SIGKILL);  // the whole group: the child and what it started
    ::waitpid(pid, &status, 0);
    r.outcome = stop.stop_requested() ? CommandResult::Outcome::kStopped
                                      : CommandResult::Outcome::kTimedOut;
  } else if (WIFEXITED(status)) {
    r.outcome = CommandResult::Outcome::kExited;
    r.code = WEXITSTATUS(status);
  } else {
    r.outcome = CommandResult::Outcome::kSignaled;
    r.code = WIFSIGNALED(status) ? WTERMSIG(status) : -1;
  }
  if (pipe_open) {
    Drain(read_end.fd, output_cap, &r);  // what the child wrote before it exited
  }
  r.took = std::chrono::steady_clock::now() - started;
  return r;
}

}  // namespace vitals::actions
