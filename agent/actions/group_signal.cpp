#include "agent/actions/group_signal.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <array>
#include <charconv>
#include <map>
#include <thread>

#include "collectors/process/process_matcher.h"
#include "collectors/procfs/pid_stat.h"
#include "collectors/procfs/pid_status.h"

namespace vitals::actions {

namespace {

int ProcSelfPid(const procfs::ProcFs& proc) {
  std::array<char, 32> buf{};
  const std::string path = (proc.root() / "self").string();
  const ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size() - 1);
  int pid = 0;
  if (n > 0) {
    std::from_chars(buf.data(), buf.data() + n, pid);
  }
  return pid;
}

// Alive and still the same process (not reused, not a zombie).
bool Alive(const procfs::ProcFs& proc, const Member& m, std::string& buffer) {
  auto stat = procfs::ReadPidStat(proc, m.pid, buffer);
  return stat && stat->starttime == m.starttime && stat->state != 'Z' && stat->state != 'X';
}

}  // namespace

bool SamePidNamespace(const procfs::ProcFs& proc) {
  return proc.is_real() && ProcSelfPid(proc) == ::getpid();
}

std::vector<Member> FindGroup(const procfs::ProcFs& proc,
                              const std::vector<config::ProcessGroupConfig>& groups,
                              const std::string& group, std::string* error) {
  collectors::ProcessMatcher matcher(groups, proc.is_real() ? ProcSelfPid(proc) : 0);
  matcher.RefreshPidfiles();
  collectors::UserNames users;
  auto pids = proc.Pids();
  if (!pids) {
    *error = pids.error().ToString();
    return {};
  }
  struct Seen {
    std::uint64_t starttime = 0;
    int ppid = 0;
    int entry = -1;  // matched entry; -1 none
    bool ours = false;
  };
  std::map<int, Seen> seen;
  std::string buffer, aux;
  for (int pid : *pids) {
    auto stat = procfs::ReadPidStat(proc, pid, buffer);
    if (!stat || stat->state == 'Z') {
      continue;  // gone, hidden, or already dead
    }
    collectors::ProcessFacts facts;
    facts.pid = pid;
    facts.comm = stat->comm;
    std::string cmdline, cgroup;
    if (matcher.needs_cmdline()) {
      if (auto r = proc.ReadPidFile(pid, "cmdline", aux)) {
        cmdline = *r;
        while (!cmdline.empty() && cmdline.back() == '\0') {
          cmdline.pop_back();
        }
        const std::size_t first_nul = cmdline.find('\0');
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        facts.cmdline = cmdline;
        facts.exe = std::string_view(cmdline).substr(0, first_nul);
      }
    }
    if (matcher.needs_cgroup()) {
      if (auto r = proc.ReadPidFile(pid, "cgroup", aux)) {
        cgroup = *r;
        facts.cgroup = cgroup;
      }
    }
    if (matcher.needs_uid()) {
      if (auto status = procfs::ReadPidStatus(proc, pid, aux)) {
        facts.euid = status->uids[1];
      }
    }
    Seen s;
    s.starttime = stat->starttime;
    s.ppid = stat->ppid;
    std::string name;
    if (auto entry = matcher.Match(facts, users, &name)) {
      s.entry = static_cast<int>(*entry);
      s.ours = name == group;
    }
    seen.emplace(pid, s);
  }
  // Unmatched descendants of a member whose entry has "children" join it.
  auto owner = [&](int pid) {
    for (int depth = 0; depth < 64; ++depth) {
      auto it = seen.find(pid);
      if (it == seen.end()) {
        return false;
      }
      if (it->second.entry >= 0) {
        return it->second.ours && depth > 0 &&
               matcher.entry(static_cast<std::size_t>(it->second.entry)).children;
      }
      pid = it->second.ppid;
    }
    return false;
  };
  std::vector<Member> out;
  for (const auto& [pid, s] : seen) {
    if (s.ours || (s.entry < 0 && owner(pid))) {
      out.push_back({pid, s.starttime});
    }
  }
  return out;
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
