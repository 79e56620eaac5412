#include "agent/platform/process_tree.h"

#include <signal.h>

#include <optional>
#include <string>
#include <unordered_map>

#include "collectors/procfs/pid_stat.h"

namespace vitals::platform {

namespace {

const procfs::ProcFs* Proc() {
  static const std::optional<procfs::ProcFs> proc = [] {
    auto opened = procfs::ProcFs::Open("/proc", procfs::SystemInfo::FromHost());
    return opened ? std::optional<procfs::ProcFs>(std::move(*opened)) : std::nullopt;
  }();
  return proc ? &*proc : nullptr;
}

struct Node {
  ProcessId id;
  bool live;  // not a zombie
};

// Every process in /proc by parent pid; empty when /proc cannot be read.
std::unordered_map<int, std::vector<Node>> ChildrenByParent() {
  std::unordered_map<int, std::vector<Node>> children;
  const procfs::ProcFs* proc = Proc();
  if (proc == nullptr) {
    return children;
  }
  auto pids = proc->Pids();
  if (!pids) {
    return children;
  }
  std::string buffer;
  for (int pid : *pids) {
    auto stat = procfs::ReadPidStat(*proc, pid, buffer);
    if (stat) {  // else it exited since the listing
      children[stat->ppid].push_back(
          {{pid, stat->starttime}, stat->state != 'Z' && stat->state != 'X'});
    }
  }
  return children;
}

}  // namespace

std::vector<ProcessId> Descendants(int root) {
  const auto children = ChildrenByParent();
  std::vector<ProcessId> out;
  std::vector<int> parents = {root};
  while (!parents.empty()) {
    const int parent = parents.back();
    parents.pop_back();
    auto it = children.find(parent);
    if (it == children.end()) {
      continue;
    }
    for (const Node& child : it->second) {
      if (child.live) {  // a zombie has no children left
        out.push_back(child.id);
        parents.push_back(child.id.pid);
      }
    }
  }
  return out;
}

std::vector<int> Children(int parent) {
  const auto children = ChildrenByParent();
  std::vector<int> out;
  if (auto it = children.find(parent); it != children.end()) {
    for (const Node& child : it->second) {
      out.push_back(child.id.pid);
    }
  }
  return out;
}

std::size_t KillDescendants(int root, Killed& killed) {
  // A fork bomb that outpaces the scans ends this after kMaxScans scans,
  // with what it spawned meanwhile still alive.
  constexpr int kMaxScans = 100;
  const std::size_t before = killed.size();
  for (int scan = 0; scan < kMaxScans; ++scan) {
    bool found_new = false;
    for (const ProcessId& p : Descendants(root)) {
      // Read from /proc moments ago, the pid stays this process until its
      // parent reaps it: reuse in between would take a full cycle of the pid
      // space within this loop.
      if (killed.emplace(p.pid, p.starttime).second) {
        ::kill(p.pid, SIGKILL);
        found_new = true;
      }
    }
    if (!found_new) {
      break;
    }
  }
  return killed.size() - before;
}

}  // namespace vitals::platform
