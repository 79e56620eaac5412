#include "config/process_groups.h"

#include <re2/re2.h>

#include <set>

namespace vitals::config {

bool NameTemplate::fixed() const {
  for (const auto& p : parts) {
    if (p.field != Field::kLiteral) {
      return false;
    }
  }
  return true;
}

std::string NameTemplate::FixedName() const {
  std::string out;
  for (const auto& p : parts) {
    out += p.text;
  }
  return out;
}

bool NameTemplate::Uses(Field field) const {
  for (const auto& p : parts) {
    if (p.field == field) {
      return true;
    }
  }
  return false;
}

std::variant<NameTemplate, std::string> ParseNameTemplate(std::string_view text) {
  NameTemplate out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      out.parts.push_back({NameTemplate::Field::kLiteral, std::string(text.substr(i))});
      break;
    }
    if (open > i) {
      out.parts.push_back({NameTemplate::Field::kLiteral, std::string(text.substr(i, open - i))});
    }
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return std::string("unterminated {{ in name template");
    }
    std::string_view field = text.substr(open + 2, close - open - 2);
    while (!field.empty() && field.front() == ' ') {
      field.remove_prefix(1);
    }
    while (!field.empty() && field.back() == ' ') {
      field.remove_suffix(1);
    }
    using F = NameTemplate::Field;
    if (field == ".Comm") {
      out.parts.push_back({F::kComm, {}});
    } else if (field == ".ExeBase") {
      out.parts.push_back({F::kExeBase, {}});
    } else if (field == ".ExeFull") {
      out.parts.push_back({F::kExeFull, {}});
    } else if (field == ".Username") {
      out.parts.push_back({F::kUsername, {}});
    } else if (field.substr(0, 9) == ".Matches." && field.size() > 9) {
      out.parts.push_back({F::kMatch, std::string(field.substr(9))});
    } else {
      return "unknown template field {{" + std::string(field) +
             "}} (expected .Comm, .ExeBase, .ExeFull, .Username or .Matches.<capture>)";
    }
    i = close + 2;
  }
  return out;
}

namespace {

// Reads a regex selector; checks it compiles and collects its capture names.
std::optional<std::string> ReadRegex(const Reader& entry, std::string_view key,
                                     std::set<std::string>* captures) {
  if (!entry.Has(key)) {
    return std::nullopt;
  }
  Reader r = entry.At(key);
  if (!r.value().is_string()) {
    r.Fail("expected a regular expression, got " + Describe(r.value()));
    return std::nullopt;
  }
  const std::string& pattern = r.value().get_ref<const std::string&>();
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern, options);
  if (!re.ok()) {
    r.Fail("expected a regular expression, got " + Describe(r.value()) + ": " + re.error());
    return std::nullopt;
  }
  for (const auto& [name, index] : re.NamedCapturingGroups()) {
    captures->insert(name);
  }
  return pattern;
}

void ReadEntry(const Reader& r, std::vector<ProcessGroupConfig>* out) {
  if (!r.Object({"name", "comm", "exe", "cmdline", "pidfile", "user", "systemd_unit", "self",
                 "children", "min", "max"})) {
    return;
  }
  std::size_t before = r.problem_count();
  ProcessGroupConfig g;
  g.pointer = r.pointer();
  std::set<std::string> captures;
  g.comm = ReadRegex(r, "comm", &captures);
  g.exe = ReadRegex(r, "exe", &captures);
  g.cmdline = ReadRegex(r, "cmdline", &captures);
  g.pidfile = r.String("pidfile");
  g.user = r.String("user");
  g.systemd_unit = r.String("systemd_unit");
  g.self = r.Bool("self").value_or(false);
  g.children = r.Bool("children").value_or(false);
  g.min = r.Uint("min", 1'000'000);
  g.max = r.Uint("max", 1'000'000);

  if (g.pidfile && (g.pidfile->empty() || g.pidfile->front() != '/')) {
    r.FailAt("pidfile", "expected an absolute path, got \"" + *g.pidfile + "\"");
  }
  if (g.systemd_unit && (g.systemd_unit->empty() || g.systemd_unit->find('/') != std::string::npos)) {
    r.FailAt("systemd_unit", "expected a unit name like \"nginx.service\", got \"" +
                                 *g.systemd_unit + "\"");
  }
  if (g.user && g.user->empty()) {
    r.FailAt("user", "expected a user name or a numeric uid, got \"\"");
  }
  bool any_selector = (r.Has("comm") || r.Has("exe") || r.Has("cmdline") || r.Has("pidfile") ||
                       r.Has("user") || r.Has("systemd_unit") || g.self);
  if (!any_selector) {
    r.Fail("expected at least one selector: comm, exe, cmdline, pidfile, user, systemd_unit or "
           "self");
  }

  if (auto name = r.String("name", true)) {
    g.name_text = *name;
    auto parsed = ParseNameTemplate(*name);
    if (auto* err = std::get_if<std::string>(&parsed)) {
      r.FailAt("name", *err);
    } else {
      g.name = std::get<NameTemplate>(std::move(parsed));
      for (const auto& part : g.name.parts) {
        if (part.field == NameTemplate::Field::kMatch && !captures.count(part.text)) {
          r.FailAt("name", "{{.Matches." + part.text +
                               "}} needs a named capture (?P<" + part.text +
                               ">...) in comm, exe or cmdline");
        }
      }
      if (g.name.fixed() && g.name.FixedName().empty()) {
        r.FailAt("name", "expected a non-empty group name");
      }
      if (g.name.fixed() && g.name.FixedName() == kOverflowGroup) {
        r.FailAt("name", "\"" + std::string(kOverflowGroup) + "\" is reserved for the overflow group");
      }
      if ((g.min || g.max) && !g.name.fixed()) {
        r.FailAt(g.min ? "min" : "max",
                 "min and max need a fixed group name, not a template like \"" + *name + "\"");
      }
    }
  }
  if (g.min && g.max && *g.min > *g.max) {
    r.FailAt("max", "expected max >= min (" + std::to_string(*g.min) + "), got " +
                        std::to_string(*g.max));
  }
  if (r.problem_count() == before) {
    out->push_back(std::move(g));
  }
}

}  // namespace

void ReadProcessGroups(const Reader& root, std::vector<ProcessGroupConfig>* out) {
  root.Array("process_groups", [&](const Reader& entry) { ReadEntry(entry, out); });
  // A declared group's bounds must be stated once, or the health check would
  // have two answers.
  std::set<std::string> bounded;
  for (const auto& g : *out) {
    if ((g.min || g.max) && !bounded.insert(g.name.FixedName()).second) {
      root.FailAt("process_groups", "group \"" + g.name.FixedName() +
                                        "\" has min/max in more than one entry (" + g.pointer + ")");
    }
  }
}

void ReadProcessCollector(const Reader& root, ProcessCollectorConfig* out) {
  if (!root.Has("process_collector")) {
    return;
  }
  Reader r = root.At("process_collector");
  if (!r.Object({"max_groups", "smaps"})) {
    return;
  }
  if (auto v = r.Uint("max_groups", 100'000)) {
    if (*v == 0) {
      r.FailAt("max_groups", "expected an integer from 1 to 100000, got 0");
    } else {
      out->max_groups = *v;
    }
  }
  out->smaps = r.Bool("smaps").value_or(false);
}

}  // namespace vitals::config
