#include "collectors/process/process_matcher.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>

#include "text/utf8.h"

namespace vitals::collectors {

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

}  // namespace vitals::collectors
