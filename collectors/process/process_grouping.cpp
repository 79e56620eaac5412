#include "collectors/process/process_grouping.h"

#include <algorithm>

#include "collectors/procfs/pid_status.h"

namespace vitals::collectors {

ProcessGrouping::ProcessGrouping(const procfs::ProcFs& proc,
                                 const std::vector<config::ProcessGroupConfig>& entries,
                                 int self_pid, GroupNumber number)
    : proc_(&proc),
      matcher_(entries, self_pid),
      number_(std::move(number)),
      any_children_(std::any_of(entries.begin(), entries.end(),
                                [](const auto& e) { return e.children; })) {}

bool ProcessGrouping::BeginPass() {
  ++pass_;
  by_ancestors_.clear();
  if (!matcher_.RefreshPidfiles()) {
    return false;
  }
  for (auto& [pid, p] : processes_) {
    p.placed = false;
    p.entry = -1;
    p.group = kNoGroup;
  }
  return true;
}

std::optional<std::size_t> ProcessGrouping::Match(int pid, std::string_view comm,
                                                  std::string* name) {
  ProcessFacts facts;
  facts.pid = pid;
  facts.comm = comm;
  std::string cmdline;
  if (matcher_.needs_cmdline()) {
    if (auto r = proc_->ReadPidFile(pid, "cmdline", buffer_)) {
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
  std::string cgroup;
  if (matcher_.needs_cgroup()) {
    if (auto r = proc_->ReadPidFile(pid, "cgroup", buffer_)) {
      cgroup = *r;
      facts.cgroup = cgroup;
    }
  }
  if (matcher_.needs_uid()) {
    if (auto status = procfs::ReadPidStatus(*proc_, pid, buffer_)) {
      facts.euid = status->uids[1];
    }
  }
  return matcher_.Match(facts, users_, name);
}

int ProcessGrouping::Place(int pid, const procfs::PidStat& stat) {
  auto [it, inserted] = processes_.try_emplace(pid);
  Process& p = it->second;
  if (!inserted && p.starttime != stat.starttime) {
    p = Process{};  // the pid was reused: a new process
  }
  p.starttime = stat.starttime;
  p.pass = pass_;
  p.ppid = stat.ppid;
  if (p.placed) {
    return p.group;
  }
  std::string name;
  if (auto entry = Match(pid, stat.comm, &name)) {
    p.entry = static_cast<int>(*entry);
    p.group = number_(name);
    p.placed = true;
    return p.group;
  }
  if (!any_children_) {
    p.placed = true;  // no ancestor can take it
    return kNoGroup;
  }
  by_ancestors_.push_back(pid);
  return kByAncestors;
}

void ProcessGrouping::Keep(int pid) {
  if (auto it = processes_.find(pid); it != processes_.end()) {
    it->second.pass = pass_;
  }
}

void ProcessGrouping::Forget(int pid) { processes_.erase(pid); }

int ProcessGrouping::PlaceUnderAncestors(Process& p, int depth) {
  if (p.placed) {
    return p.group;
  }
  p.placed = true;  // set first: also ends a cycle of reused pids
  auto parent = processes_.find(p.ppid);
  if (depth > 64 || p.ppid <= 0 || parent == processes_.end() || parent->second.pass != pass_) {
    return kNoGroup;
  }
  const int group = PlaceUnderAncestors(parent->second, depth + 1);
  if (group >= 0 && parent->second.entry >= 0 &&
      matcher_.entry(static_cast<std::size_t>(parent->second.entry)).children) {
    p.group = group;
    p.entry = parent->second.entry;
  }
  return p.group;
}

void ProcessGrouping::EndPass() {
  // Parents may come later in pid order (pid wrap), hence a step of its own.
  for (int pid : by_ancestors_) {
    if (auto it = processes_.find(pid); it != processes_.end()) {
      PlaceUnderAncestors(it->second, 0);
    }
  }
  by_ancestors_.clear();
  std::erase_if(processes_, [this](const auto& entry) { return entry.second.pass != pass_; });
}

int ProcessGrouping::Group(int pid) const {
  auto it = processes_.find(pid);
  return it != processes_.end() && it->second.pass == pass_ ? it->second.group : kNoGroup;
}

}  // namespace vitals::collectors
