#include "agent/actions/group_signal.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "collectors/process/process_grouping.h"
#include "collectors/process/process_matcher.h"
#include "collectors/procfs/pid_stat.h"

namespace vitals::actions {

namespace {

// Alive and still the same process (not reused, not a zombie).
bool Alive(const procfs::ProcFs& proc, const Member& m, std::string& buffer) {
  auto stat = procfs::ReadPidStat(proc, m.pid, buffer);
  return stat && stat->starttime == m.starttime && stat->state != 'Z' && stat->state != 'X';
}

}  // namespace

bool SamePidNamespace(const procfs::ProcFs& proc) {
  return collectors::SelfPid(proc) == ::getpid();
}

std::vector<Member> FindGroup(const procfs::ProcFs& proc,
                              const std::vector<config::ProcessGroupConfig>& groups,
                              const std::string& group, std::string* error) {
  constexpr int kOurs = 0, kOther = 1;
  collectors::ProcessGrouping grouping(
      proc, groups, collectors::SelfPid(proc),
      [&group](const std::string& name) { return name == group ? kOurs : kOther; });
  auto pids = proc.Pids();
  if (!pids) {
    *error = pids.error().ToString();
    return {};
  }
  grouping.BeginPass();
  std::vector<Member> live;  // zombies are placed (as the collector does), never signalled
  std::string buffer;
  for (int pid : *pids) {
    auto stat = procfs::ReadPidStat(proc, pid, buffer);
    if (!stat) {
      continue;  // gone or hidden
    }
    grouping.Place(pid, *stat);
    if (stat->state != 'Z') {
      live.push_back({pid, stat->starttime});
    }
  }
  grouping.EndPass();
  std::erase_if(live, [&](const Member& m) { return grouping.Group(m.pid) != kOurs; });
  return live;
}

std::string SignalOutcome::Describe() const {
  std::string out = std::to_string(signalled) + " signalled, " + std::to_string(exited) +
                    " exited, " + std::to_string(killed) + " killed";
  if (survivors > 0) {
    out += ", " + std::to_string(survivors) + " still running";
  }
  if (!error.empty()) {
    out += " (" + error + ")";
  }
  return out;
}

SignalOutcome SignalMembers(const procfs::ProcFs& proc, const std::vector<Member>& members,
                            int signo, std::chrono::milliseconds grace, std::stop_token stop) {
  SignalOutcome out;
  std::string buffer;
  std::vector<Member> live;
  for (const Member& m : members) {
    if (!Alive(proc, m, buffer)) {
      continue;  // gone since it was found
    }
    if (::kill(m.pid, signo) != 0) {
      if (errno != ESRCH) {
        out.error = std::string("kill ") + std::to_string(m.pid) + ": " + std::strerror(errno);
        ++out.survivors;
      }
      continue;
    }
    ++out.signalled;
    live.push_back(m);
  }
  auto wait_gone = [&](std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (true) {
      std::erase_if(live, [&](const Member& m) { return !Alive(proc, m, buffer); });
      if (live.empty() || std::chrono::steady_clock::now() >= until || stop.stop_requested()) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  if (signo == SIGKILL) {
    out.killed = out.signalled;
  } else {
    const std::size_t before = live.size();
    wait_gone(grace);
    out.exited = before - live.size();
    for (const Member& m : live) {
      if (Alive(proc, m, buffer) && ::kill(m.pid, SIGKILL) == 0) {
        ++out.killed;
      }
    }
  }
  wait_gone(std::chrono::seconds(2));
  out.survivors += live.size();
  return out;
}

}  // namespace vitals::actions
