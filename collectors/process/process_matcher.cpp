#include "collectors/process/process_matcher.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>

#include "collectors/procfs/pid_status.h"
#include "text/utf8.h"

namespace vitals::collectors {

const std::string& UserNames::Name(std::uint32_t uid) {
  auto it = names_.find(uid);
  if (it != names_.end()) {
    return it->second;
  }
  std::array<char, 4096> buf{};
  passwd pw{};
  passwd* result = nullptr;
  std::string name = std::to_string(uid);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr) {
    name = result->pw_name;
  }
  return names_.emplace(uid, std::move(name)).first->second;
}

std::optional<std::uint32_t> UserNames::Resolve(const std::string& user) {
  std::uint32_t uid = 0;
  auto [ptr, ec] = std::from_chars(user.data(), user.data() + user.size(), uid);
  if (ec == std::errc() && ptr == user.data() + user.size()) {
    return uid;
  }
  std::array<char, 4096> buf{};
  passwd pw{};
  passwd* result = nullptr;
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr) {
    return result->pw_uid;
  }
  return std::nullopt;
}

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const std::size_t n = text::Utf8SequenceLength(s);
    if (n == 0) {
      out += "\xef\xbf\xbd";  // one per invalid byte
      s.remove_prefix(1);
    } else {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
    }
  }
  return out;
}

bool CgroupHasUnit(std::string_view cgroup, std::string_view unit) {
  // Lines are "hierarchy-ID:controllers:path"; the unit is a path component,
  // e.g. "0::/system.slice/nginx.service".
  while (!cgroup.empty()) {
    std::size_t nl = cgroup.find('\n');
    std::string_view line = cgroup.substr(0, nl);
    cgroup = nl == std::string_view::npos ? std::string_view() : cgroup.substr(nl + 1);
    std::size_t c1 = line.find(':');
    std::size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) {
      continue;
    }
    std::string_view path = line.substr(c2 + 1);
    while (!path.empty()) {
      std::size_t slash = path.find('/');
      if (path.substr(0, slash) == unit) {
        return true;
      }
      path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    }
  }
  return false;
}

namespace {

std::unique_ptr<RE2> Compile(const std::optional<std::string>& pattern) {
  if (!pattern) {
    return nullptr;
  }
  RE2::Options options;
  options.set_log_errors(false);
  return std::make_unique<RE2>(*pattern, options);
}

// Runs `re` over `text`; on a match stores its named captures into `captures`.
bool MatchInto(const RE2* re, std::string_view text,
               std::vector<std::pair<std::string_view, std::string_view>>* captures) {
  int n = re->NumberOfCapturingGroups();
  std::array<re2::StringPiece, 16> groups{};
  int want = std::min(n + 1, static_cast<int>(groups.size()));
  if (!re->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED,
                 groups.data(), want)) {
    return false;
  }
  for (const auto& [name, index] : re->NamedCapturingGroups()) {
    if (index < want) {
      captures->emplace_back(name, std::string_view(groups[static_cast<std::size_t>(index)].data(),
                                                    groups[static_cast<std::size_t>(index)].size()));
    }
  }
  return true;
}

std::string_view Basename(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

ProcessMatcher::ProcessMatcher(const std::vector<config::ProcessGroupConfig>& entries,
                               int self_pid)
    : self_pid_(self_pid) {
  using F = config::NameTemplate::Field;
  for (const auto& c : entries) {
    Entry e;
    e.config = c;
    e.comm = Compile(c.comm);
    e.exe = Compile(c.exe);
    e.cmdline = Compile(c.cmdline);
    if (c.user) {
      e.uid = UserNames::Resolve(*c.user);
      if (!e.uid) {
        e.user_unknown = true;
        warnings_.push_back(c.pointer + "/user: no user named \"" + *c.user +
                            "\"; the entry matches nothing");
      }
    }
    needs_cmdline_ = needs_cmdline_ || c.exe || c.cmdline || c.name.Uses(F::kExeBase) ||
                     c.name.Uses(F::kExeFull);
    needs_cgroup_ = needs_cgroup_ || c.systemd_unit.has_value();
    needs_uid_ = needs_uid_ || c.user.has_value() || c.name.Uses(F::kUsername);
    entries_.push_back(std::move(e));
  }
  RefreshPidfiles();
}

bool ProcessMatcher::RefreshPidfiles() {
  bool changed = false;
  for (auto& e : entries_) {
    if (!e.config.pidfile) {
      continue;
    }
    int pid = 0;
    std::ifstream in(*e.config.pidfile);
    std::string text;
    if (in && std::getline(in, text)) {
      while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) {
        text.pop_back();
      }
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
      if (ec != std::errc() || ptr != text.data() + text.size() || pid < 0) {
        pid = 0;
      }
    }
    changed = changed || pid != e.pidfile_pid;
    e.pidfile_pid = pid;
  }
  return changed;
}

std::optional<std::size_t> ProcessMatcher::Match(const ProcessFacts& facts, UserNames& users,
                                                 std::string* name) const {
  std::vector<std::pair<std::string_view, std::string_view>> captures;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    captures.clear();
    if (e.config.self && (self_pid_ == 0 || facts.pid != self_pid_)) {
      continue;
    }
    if (e.config.pidfile && (e.pidfile_pid == 0 || facts.pid != e.pidfile_pid)) {
      continue;
    }
    if (e.config.user && (e.user_unknown || !facts.euid || *facts.euid != *e.uid)) {
      continue;
    }
    if (e.config.systemd_unit && !CgroupHasUnit(facts.cgroup, *e.config.systemd_unit)) {
      continue;
    }
    if (e.comm && !MatchInto(e.comm.get(), facts.comm, &captures)) {
      continue;
    }
    // Kernel threads have no argv, so an exe or cmdline selector never matches them.
    if (e.exe && (facts.cmdline.empty() || !MatchInto(e.exe.get(), facts.exe, &captures))) {
      continue;
    }
    if (e.cmdline && (facts.cmdline.empty() || !MatchInto(e.cmdline.get(), facts.cmdline, &captures))) {
      continue;
    }
    std::string out;
    using F = config::NameTemplate::Field;
    for (const auto& part : e.config.name.parts) {
      switch (part.field) {
        case F::kLiteral: out += part.text; break;
        case F::kComm: out += facts.comm; break;
        // With no argv (kernel threads) the executable is unknown: use comm.
        case F::kExeBase: out += facts.exe.empty() ? facts.comm : Basename(facts.exe); break;
        case F::kExeFull: out += facts.exe.empty() ? facts.comm : facts.exe; break;
        case F::kUsername:
          out += facts.euid ? users.Name(*facts.euid) : std::string("unknown");
          break;
        case F::kMatch:
          for (const auto& [cname, value] : captures) {
            if (cname == part.text) {
              out += value;
              break;
            }
          }
          break;
      }
    }
    if (out.empty()) {
      out = facts.comm;  // a label value must say something
    }
    *name = ToValidUtf8(out);
    return i;
  }
  return std::nullopt;
}

int SelfPid(const procfs::ProcFs& proc) {
  if (!proc.is_real()) {
    return 0;
  }
  std::array<char, 32> buf{};
  const std::string path = (proc.root() / "self").string();
  const ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size() - 1);
  int pid = 0;
  if (n > 0) {
    std::from_chars(buf.data(), buf.data() + n, pid);
  }
  return pid;
}

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
