#include "agent/lifecycle.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "agent/log/log.h"
#include "agent/platform/process_tree.h"

namespace vitals {

Lifecycle::Lifecycle(std::chrono::milliseconds stop_grace)
    : stop_grace_(stop_grace), thread_([this] { Run(); }) {
  pthread_setname_np(thread_.native_handle(), "vitals-signals");  // for ps -L, top -H
}

Lifecycle::~Lifecycle() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    stopped_ = true;
  }
  changed_.notify_all();
  // Out of sigwait, if it is there; otherwise the signal stays pending on a
  // thread that is about to end.
  pthread_kill(thread_.native_handle(), SIGHUP);
  thread_.join();
}

Lifecycle::Event Lifecycle::Next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return stop_ || reload_; });
  if (stop_) {
    return Event::kStop;
  }
  reload_ = false;
  return Event::kReload;
}

void Lifecycle::Stage(std::string_view what) {
  std::lock_guard lock(mutex_);
  stage_ = what;
}

void Lifecycle::Stopped() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

void Lifecycle::Run() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  int sig = 0;
  while (true) {
    if (sigwait(&set, &sig) != 0) {
      continue;
    }
    std::lock_guard lock(mutex_);
    if (closing_) {
      return;
    }
    if (sig != SIGHUP) {
      stop_ = true;
      break;
    }
    reload_ = true;
    changed_.notify_all();
  }
  changed_.notify_all();
  log::Info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"},
                              {"grace", std::to_string(stop_grace_.count()) + "ms"}});
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, stop_grace_, [&] { return stopped_; })) {
    Expire();
  }
}

void Lifecycle::Expire() {
  // Should even the lines below block (a log pipe nobody reads), SIGALRM's
  // default action ends the process.
  ::alarm(2);
  // Everything below the agent: it is their subreaper (platform/subprocess.h),
  // so what its commands started is there too. Not KillAllChildren: it
  // would wait for the reaper, and the main thread may be in it.
  platform::Killed killed;
  const std::size_t children = platform::KillDescendants(::getpid(), killed);
  log::Error("shutdown timed out", {{"waiting_for", stage_},
                                    {"grace", std::to_string(stop_grace_.count()) + "ms"},
                                    {"processes_killed", std::to_string(children)}});
  ::_exit(1);
}

}  // namespace vitals
