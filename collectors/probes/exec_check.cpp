#include "collectors/probes/exec_check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace vitals::probes {

namespace {

constexpr std::chrono::milliseconds kReapPoll{5};

// Kills the child's whole group and reaps the child, on every path out.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0) {
      KillGroup();
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  pid_t pid() const { return pid_; }
  void KillGroup() const { ::kill(-pid_, SIGKILL); }
  // The exit status once the child has exited; nullopt while it runs.
  std::optional<int> TryReap() {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return status;
    }
    if (r < 0 && errno == ECHILD) {
      pid_ = -1;
      throw ProbeFailure("the exit status of the command was lost (is SIGCHLD ignored?)");
    }
    return std::nullopt;
  }
  // After the child exited, what it started may still hold the group.
  void KillLeftovers(pid_t group) const { ::kill(-group, SIGKILL); }

 private:
  pid_t pid_;
};

std::string FirstLine(const std::string& output) {
  std::string line = output.substr(0, output.find('\n'));
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return Excerpt(line, 200);
}

}  // namespace

health::CheckResult ExecCheck::Probe(ProbeRun& run) {
  const std::string program = config_.command[0];
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    throw ProbeFailure("exec " + program + ": pipe: " + std::strerror(errno));
  }
  Fd read_end(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);
  // Only our end is non-blocking: a plugin writing to a non-blocking stdout
  // gets EAGAIN when the pipe is full, and most treat that as fatal.
  ::fcntl(read_end.get(), F_SETFL, ::fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // CivetWeb's sockets, others' fds
  posix_spawnattr_setpgroup(&attr, 0);                   // its own group, to kill it whole
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);  // the agent blocks signals; a plugin must not
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (const std::string& arg : config_.command) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  write_end = Fd();
  if (rc != 0) {
    throw ProbeFailure("exec " + program + ": cannot start: " + std::strerror(rc));
  }
  Child child(pid);
  run.data["pid"] = pid;

  std::string output;
  std::uint64_t output_bytes = 0;
  bool pipe_open = true;
  std::optional<int> status;
  const std::string what = "exec " + program;
  try {
    while (!status) {
      run.deadline.Check(what);
      if (pipe_open) {
        pollfd p{read_end.get(), POLLIN, 0};
        const auto wait = std::min(run.deadline.Remaining(), std::chrono::milliseconds(100));
        if (::poll(&p, 1, static_cast<int>(wait.count())) > 0) {
          char buf[4096];
          ssize_t n = ::read(read_end.get(), buf, sizeof buf);
          if (n > 0) {
            output_bytes += static_cast<std::uint64_t>(n);
            const std::size_t room =
                config_.max_output_bytes > output.size() ? config_.max_output_bytes - output.size()
                                                         : 0;
            output.append(buf, std::min(room, static_cast<std::size_t>(n)));  // the rest drained
          } else if (n == 0) {
            pipe_open = false;
          }
        }
      } else {
        std::this_thread::sleep_for(std::min(run.deadline.Remaining(), kReapPoll));
      }
      status = child.TryReap();
    }
  } catch (const ProbeFailure& e) {
    // ~Child kills the group and reaps the child.
    throw ProbeFailure(std::string(e.what()) + "; killed its process group " +
                       std::to_string(pid) +
                       (output.empty() ? "" : "; output \"" + FirstLine(output) + "\""));
  }
  child.KillLeftovers(pid);
  // What the child wrote just before it exited may still be in the pipe
  // (at most the pipe's capacity: the writers are gone).
  for (char buf[4096]; pipe_open;) {
    ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n <= 0) {
      break;
    }
    output_bytes += static_cast<std::uint64_t>(n);
    const std::size_t room =
        config_.max_output_bytes > output.size() ? config_.max_output_bytes - output.size() : 0;
    output.append(buf, std::min(room, static_cast<std::size_t>(n)));
  }
  run.data["output_bytes"] = output_bytes;
  const std::string line = FirstLine(output);
  if (WIFSIGNALED(*status)) {
    throw ProbeFailure(what + ": killed by signal " + std::to_string(WTERMSIG(*status)) + " (" +
                       strsignal(WTERMSIG(*status)) + ")" +
                       (line.empty() ? "" : ": " + line));
  }
  const int code = WEXITSTATUS(*status);
  run.data["exec_exit_code"] = code;
  if (code == 127 && output.empty()) {
    throw ProbeFailure(what + ": exit 127 (command not found?)");
  }
  const std::string description = line.empty() ? what + ": exit " + std::to_string(code) : line;
  switch (code) {
    case 0: return health::CheckResult::Healthy(description);
    case 1: return health::CheckResult::Degraded(description);
    case 2: throw ProbeFailure(description);
    default:
      throw ProbeFailure(what + ": exit " + std::to_string(code) +
                         (code == 3 ? " (UNKNOWN)" : "") + (line.empty() ? "" : ": " + line));
  }
}

}  // namespace vitals::probes
