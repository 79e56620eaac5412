#include "agent/platform/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "agent/platform/fd.h"
#include "agent/platform/process_tree.h"

extern char** environ;

namespace vitals::platform {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kSlice{100};  // longest single wait: a stop request is seen this fast
constexpr milliseconds kReapGrace{100};  // for a killed tree to be reaped before the keeper is handed over

// What the keeper (or the command, when exec fails) writes on the status
// pipe: one message of 12 bytes, written whole (pipe writes up to PIPE_BUF
// are atomic).
struct Message {
  enum Kind : int { kStarted = 1, kExecFailed = 2, kExited = 3 };
  int kind = 0;
  int value = 0;      // the command's pid (kStarted), errno (kExecFailed), wait status (kExited)
  int leftovers = 0;  // kExited: processes were still running below the keeper
};

// Everything the forked processes need, prepared before fork(): after it,
// only async-signal-safe calls (signal-safety(7)), as the agent has threads.
struct Plan {
  char* const* argv;
  const char* const* paths;  // where to try execve, in PATH order
  std::size_t path_count;
  char* const* envp;
  int devnull;
  int out;     // write end of the output pipe
  int status;  // write end of the status pipe
  long max_fd;  // for the fallback when close_range(CLOSE_RANGE_CLOEXEC) is missing
};

void Report(int fd, const Message& m) {
  while (::write(fd, &m, sizeof m) < 0 && errno == EINTR) {
  }
}

// The command: its descriptors and signals as a fresh process would have
// them, then execve along PATH. Exit status 127 after telling why not.
[[noreturn]] void ExecCommand(const Plan& plan) {
  ::dup2(plan.devnull, 0);
  ::dup2(plan.out, 1);
  ::dup2(plan.out, 2);
  // Every other descriptor (a library may open one without O_CLOEXEC) closes at execve;
  // the status pipe stays open until then to report a failed execve.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < plan.max_fd; ++fd) {
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the agent blocks its stop signals
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    ::sigaction(sig, &dfl, nullptr);  // ignored ones (SIGPIPE) would stay ignored
  }
  int err = ENOENT;
  for (std::size_t i = 0; i < plan.path_count; ++i) {
    ::execve(plan.paths[i], plan.argv, plan.envp);
    // As execvp: a missing or unreachable candidate moves on to the next.
    if (errno != ENOENT && errno != ENOTDIR && errno != EACCES) {
      err = errno;
      break;
    }
    if (errno == EACCES) {
      err = EACCES;
    }
  }
  Report(plan.status, {Message::kExecFailed, err, 0});
  ::_exit(127);
}

// The keeper: a new session, subreaper of all below it, starts the command
// and reaps everything until nothing is left below it.
[[noreturn]] void Keep(const Plan& plan) {
  ::setsid();
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  ::prctl(PR_SET_NAME, "vitals-run");
  ::signal(SIGPIPE, SIG_IGN);  // a report nobody reads any more must not kill it
  const pid_t command = ::fork();
  if (command == 0) {
    ExecCommand(plan);
  }
  if (command < 0) {
    Report(plan.status, {Message::kExecFailed, errno, 0});
    Report(plan.status, {Message::kExited, 127 << 8, 0});
    ::_exit(1);
  }
  Report(plan.status, {Message::kStarted, command, 0});
  ::close(plan.out);  // the pipe's end of file is the command's and its children's
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) {
      continue;
    }
    if (pid < 0) {
      ::_exit(0);  // ECHILD: nothing left below
    }
    if (pid == command) {
      int rest = 0;
      pid_t other;
      while ((other = ::waitpid(-1, &rest, WNOHANG)) > 0) {
      }
      const bool leftovers = other == 0;  // children, none of them exited yet
      Report(plan.status, {Message::kExited, status, leftovers ? 1 : 0});
      if (!leftovers) {
        ::_exit(0);
      }
    }
  }
}

// Where execvp(3) would look for `program`.
std::vector<std::string> ExecPaths(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    return {program};
  }
  const char* env = std::getenv("PATH");
  const std::string path = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? end : end - start);
    out.push_back((dir.empty() ? "." : dir) + "/" + program);
    if (end == std::string::npos) {
      return out;
    }
    start = end + 1;
  }
}

// Reads what the pipe holds without blocking; keeps up to `cap` bytes.
// Returns false at end of file or on an error other than EAGAIN.
bool Drain(int fd, std::size_t cap, CommandResult& r) {
  std::array<char, 4096> buf;
  for (int i = 0; i < 256; ++i) {  // at most 1 MiB a call, so the deadline is looked at
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n == 0) {
      return false;
    }
    if (n < 0) {
      return errno == EAGAIN || errno == EINTR;
    }
    const auto got = static_cast<std::size_t>(n);
    r.output_bytes += got;
    const std::size_t room = cap > r.output.size() ? cap - r.output.size() : 0;
    r.output.append(buf.data(), std::min(room, got));
  }
  return true;
}

Fd PidFd(pid_t pid) {
  // glibc 2.36's <sys/pidfd.h> lacks extern "C"; the system call is plain.
  return Fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

// The agent's children and who reaps them. A keeper is `owned` while a
// RunCommand call waits for it; a keeper left holding an action's
// processes, and orphans re-parented to the agent (subreaper), are
// `adopted`: a reaper thread waits for them with pidfds. Never waitpid(-1):
// each pid has exactly one waiter.
class ChildRegistry {
 public:
  static ChildRegistry& Get() {
    static ChildRegistry* registry = new ChildRegistry;  // never destroyed: the reaper may still run
    return *registry;
  }

  std::mutex mutex;  // guards everything below; held across fork() so that
                     // a new keeper is owned before any orphan scan sees it
  std::set<pid_t> owned;
  bool subreaper = false;
  bool closing = false;  // KillAllChildren ran

  // Hands a keeper from its RunCommand call to the reaper (mutex held).
  void Adopt(pid_t pid) {
    owned.erase(pid);
    adopted_.emplace(pid, PidFd(pid));
    if (!reaper_.joinable() && !closing) {
      reaper_ = std::thread([this] { Reap(); });
    }
    Wake();
  }

  // Adopts the agent's children no one waits for (mutex held): orphans that
  // a killed keeper left to the agent.
  void AdoptOrphans() {
    if (!subreaper || closing) {
      return;  // without a subreaper orphans go to init, and any child is someone else's
    }
    for (pid_t pid : Children(::getpid())) {
      if (owned.count(pid) == 0 && adopted_.count(pid) == 0) {
        Adopt(pid);
      }
    }
  }

  // Stops the reaper and reaps what it waited for (mutex not held).
  void StopReaper() {
    {
      std::lock_guard lock(mutex);
      closing = true;
      Wake();
    }
    if (reaper_.joinable()) {
      reaper_.join();
    }
  }

 private:
  ChildRegistry() : wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

  void Wake() const {
    const std::uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof one);
  }

  void Reap() {
    for (;;) {
      std::vector<pollfd> fds = {{wake_.get(), POLLIN, 0}};
      bool without_pidfd = false;
      {
        std::lock_guard lock(mutex);
        if (closing) {
          return;
        }
        for (const auto& [pid, fd] : adopted_) {
          fds.push_back({fd.get(), POLLIN, 0});  // -1 (no pidfd) is skipped by poll
          without_pidfd = without_pidfd || !fd;
        }
      }
      ::poll(fds.data(), fds.size(), without_pidfd ? 1000 : -1);
      std::uint64_t count;
      (void)!::read(wake_.get(), &count, sizeof count);
      std::lock_guard lock(mutex);
      bool reaped = false;
      for (auto it = adopted_.begin(); it != adopted_.end();) {
        int status = 0;
        const pid_t r = ::waitpid(it->first, &status, WNOHANG);
        if (r == it->first || (r < 0 && errno == ECHILD)) {
          it = adopted_.erase(it);
          reaped = true;
        } else {
          ++it;
        }
      }
      if (reaped) {
        AdoptOrphans();  // what a keeper killed by someone else left behind
      }
    }
  }

  Fd wake_;  // eventfd: adopted_ changed, or closing
  std::map<pid_t, Fd> adopted_;
  std::thread reaper_;
};

// Waits (bounded) for a keeper to exit, which it does once nothing is left
// below it, and reaps it; with `kill`, kills what is below it meanwhile (a
// process the keeper starts after one scan is caught by the next). A keeper
// that does not exit in time (a process stuck in uninterruptible I/O) is
// handed to the reaper. Returns how many processes were killed.
std::size_t ReapKeeper(pid_t keeper, int status_fd, bool kill) {
  const auto until = Clock::now() + kReapGrace;
  Killed killed;
  char buf[sizeof(Message)];
  for (;;) {
    if (kill) {
      KillDescendants(keeper, killed);
    }
    // The keeper's exit closes its end of the status pipe.
    pollfd p{status_fd, POLLIN, 0};
    const auto left = std::max<milliseconds::rep>(
        std::chrono::ceil<milliseconds>(until - Clock::now()).count(), 0);
    const auto wait = kill ? std::min<milliseconds::rep>(left, 10) : left;
    if (::poll(&p, 1, static_cast<int>(wait)) > 0 && ::read(status_fd, buf, sizeof buf) == 0) {
      int status = 0;
      while (::waitpid(keeper, &status, 0) < 0 && errno == EINTR) {
      }
      ChildRegistry& children = ChildRegistry::Get();
      std::lock_guard lock(children.mutex);
      children.owned.erase(keeper);
      if (!WIFEXITED(status)) {
        children.AdoptOrphans();  // killed by someone else, leaving its tree to the agent
      }
      return killed.size();
    }
    if (Clock::now() >= until) {
      ChildRegistry& children = ChildRegistry::Get();
      std::lock_guard lock(children.mutex);
      children.Adopt(keeper);
      return killed.size();
    }
  }
}

std::string Plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string CommandResult::KilledText() const {
  return killed == 0 ? "" : "killed its process tree (" + Plural(killed, "process", "processes") + ")";
}

std::string CommandResult::Describe() const {
  const std::string killed_text = killed == 0 ? "" : "; " + KilledText();
  switch (outcome) {
    case Outcome::kExited: return "exit " + std::to_string(code);
    case Outcome::kSignaled: return "killed by signal " + std::to_string(code);
    case Outcome::kTimedOut:
      return "timed out after " +
             std::to_string(std::chrono::duration_cast<milliseconds>(took).count()) + "ms" +
             killed_text;
    case Outcome::kStopped: return "stopped: the agent is shutting down" + killed_text;
    case Outcome::kStartFailed: return "cannot start: " + error;
    case Outcome::kLost: return "lost: " + error;
  }
  return "unknown";
}

CommandResult RunCommand(const Command& command) {
  CommandResult r;
  const auto started = Clock::now();
  auto done = [&]() -> CommandResult {
    r.took = Clock::now() - started;
    return std::move(r);
  };
  if (command.argv.empty() || command.argv.front().empty()) {
    r.error = "empty command";
    return done();
  }
  const std::vector<std::string> paths = ExecPaths(command.argv.front());
  std::vector<const char*> path_ptrs;
  for (const auto& p : paths) {
    path_ptrs.push_back(p.c_str());
  }
  std::vector<char*> args;
  for (const auto& a : command.argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  int out_fds[2];
  int status_fds[2];
  if (::pipe2(out_fds, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return done();
  }
  Fd out_read(out_fds[0]);
  Fd out_write(out_fds[1]);
  if (::pipe2(status_fds, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return done();
  }
  Fd status_read(status_fds[0]);
  Fd status_write(status_fds[1]);
  Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devnull) {
    r.error = std::string("/dev/null: ") + std::strerror(errno);
    return done();
  }
  const Plan plan{args.data(),    path_ptrs.data(),   path_ptrs.size(),
                  environ,        devnull.get(),      out_write.get(),
                  status_write.get(), ::sysconf(_SC_OPEN_MAX)};

  ChildRegistry& children = ChildRegistry::Get();
  pid_t keeper = -1;
  {
    std::lock_guard lock(children.mutex);
    if (children.closing) {
      r.outcome = CommandResult::Outcome::kStopped;
      return done();
    }
    keeper = ::fork();
    if (keeper == 0) {
      Keep(plan);
    }
    if (keeper < 0) {
      r.error = std::string("fork: ") + std::strerror(errno);
      return done();
    }
    children.owned.insert(keeper);
  }
  out_write.reset();
  status_write.reset();
  devnull.reset();
  ::fcntl(out_read.get(), F_SETFL, O_NONBLOCK);

  Message message;
  std::size_t have = 0;  // bytes of `message` read so far
  bool output_open = true;
  bool exited = false;
  bool keeper_gone = false;
  int exec_errno = 0;
  while (!exited && !keeper_gone) {
    const auto now = Clock::now();
    if (command.stop.stop_requested() || now >= command.deadline) {
      r.outcome = command.stop.stop_requested() ? CommandResult::Outcome::kStopped
                                                : CommandResult::Outcome::kTimedOut;
      break;
    }
    const auto wait = std::min(std::chrono::ceil<milliseconds>(command.deadline - now), kSlice);
    pollfd p[2] = {{status_read.get(), POLLIN, 0}, {output_open ? out_read.get() : -1, POLLIN, 0}};
    if (::poll(p, 2, static_cast<int>(wait.count())) <= 0) {
      continue;
    }
    if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      output_open = Drain(out_read.get(), command.output_cap, r);
    }
    if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = ::read(status_read.get(), reinterpret_cast<char*>(&message) + have,
                               sizeof message - have);
      if (n == 0) {
        keeper_gone = true;
      } else if (n > 0 && (have += static_cast<std::size_t>(n)) == sizeof message) {
        have = 0;
        if (message.kind == Message::kStarted) {
          r.pid = message.value;
        } else if (message.kind == Message::kExecFailed) {
          exec_errno = message.value;
        } else if (message.kind == Message::kExited) {
          exited = true;
        }
      }
    }
  }

  if (exited) {
    if (exec_errno != 0) {
      r.outcome = CommandResult::Outcome::kStartFailed;
      r.error = std::strerror(exec_errno);
    } else if (WIFEXITED(message.value)) {
      r.outcome = CommandResult::Outcome::kExited;
      r.code = WEXITSTATUS(message.value);
    } else {
      r.outcome = CommandResult::Outcome::kSignaled;
      r.code = WTERMSIG(message.value);
    }
  }
  if (output_open) {
    output_open = Drain(out_read.get(), command.output_cap, r);  // written just before the exit
  }
  if (keeper_gone) {
    // Killed by someone else: what was below it now belongs to the agent.
    r.outcome = CommandResult::Outcome::kLost;
    r.error = "its keeper process " + std::to_string(keeper) + " was killed";
    ReapKeeper(keeper, status_read.get(), false);
  } else if (exited && message.leftovers != 0 && command.leftovers == Command::Leftovers::kKeep) {
    std::lock_guard lock(children.mutex);
    children.Adopt(keeper);
  } else {
    r.killed = ReapKeeper(keeper, status_read.get(), !exited || message.leftovers != 0);
  }
  if (output_open) {
    Drain(out_read.get(), command.output_cap, r);  // what the killed tree had written
  }
  return done();
}

std::string BecomeChildSubreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    return std::string("prctl(PR_SET_CHILD_SUBREAPER): ") + std::strerror(errno);
  }
  ChildRegistry& children = ChildRegistry::Get();
  std::lock_guard lock(children.mutex);
  children.subreaper = true;
  return {};
}

std::size_t KillAllChildren() {
  ChildRegistry& children = ChildRegistry::Get();
  children.StopReaper();
  Killed killed_set;
  const std::size_t killed = KillDescendants(::getpid(), killed_set);
  // Reap them: the keepers no RunCommand call waits for, and orphans.
  const auto until = Clock::now() + std::chrono::seconds(1);
  for (;;) {
    bool running = false;
    {
      std::lock_guard lock(children.mutex);
      for (pid_t pid : Children(::getpid())) {
        int status = 0;
        if (children.owned.count(pid) == 0 && ::waitpid(pid, &status, WNOHANG) == 0) {
          running = true;  // killed, not dead yet
        }
      }
    }
    if (!running || Clock::now() >= until) {
      return killed;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
}

}  // namespace vitals::platform
