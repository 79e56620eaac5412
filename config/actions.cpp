#include "config/actions.h"

#include <algorithm>
#include <charconv>
#include <csignal>

#include "config/checks.h"

namespace vitals::config {

namespace {

std::string Ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; }

struct SignalName {
  std::string_view name;
  int number;
};
constexpr SignalName kSignals[] = {{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},
                                   {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
                                   {"TERM", SIGTERM}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}};

}  // namespace

std::optional<int> ParseSignal(std::string_view text) {
  if (text.rfind("SIG", 0) == 0) {
    text.remove_prefix(3);
  }
  for (const auto& s : kSignals) {
    if (s.name == text) {
      return s.number;
    }
  }
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
    for (const auto& s : kSignals) {
      if (s.number == n) {
        return n;
      }
    }
  }
  return std::nullopt;
}

bool IsUnitName(std::string_view unit) {
  // systemd.unit(5): "[a-zA-Z0-9:_.\\-]" plus '@' for templates, at most 255
  // bytes. A leading '-' would read as an option.
  if (unit.empty() || unit.size() > 255 || unit.front() == '-' || unit.front() == '.') {
    return false;
  }
  return std::all_of(unit.begin(), unit.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == ':' || ch == '_' || ch == '.' || ch == '-' || ch == '@' || ch == '\\';
  });
}

std::vector<ActionConfig> ReadActions(const Reader& check, const std::set<std::string>& declared) {
  std::vector<ActionConfig> out;
  std::set<std::string> names;
  check.Array("actions", [&](const Reader& r) {
    if (!r.Object({"type", "name", "unit", "command", "timeout", "group", "signal", "grace",
                   "backoff", "max_backoff", "limit_burst", "limit_interval", "reset_after"})) {
      return;
    }
    ActionConfig a;
    a.pointer = r.pointer();
    auto type = r.String("type", true);
    if (!type) {
      return;
    }
    a.type = *type;
    a.name = a.type;
    if (auto name = r.String("name")) {
      a.name = *name;
      if (name->empty()) {
        r.FailAt("name", "expected a non-empty name");
      }
    }
    auto only_for = [&](std::initializer_list<const char*> keys, const char* types) {
      for (const char* key : keys) {
        if (r.Has(key)) {
          r.FailAt(key, std::string("only allowed with type ") + types);
        }
      }
    };
    if (a.type == "restart") {
      only_for({"command"}, "exec");
      only_for({"group", "signal", "grace"}, "signal");
      if (auto unit = r.String("unit", true)) {
        a.unit = *unit;
        if (!IsUnitName(*unit)) {
          r.FailAt("unit", "expected a systemd unit name like \"worker.service\", got \"" +
                               *unit + "\"");
        }
      }
    } else if (a.type == "exec") {
      only_for({"unit"}, "restart");
      only_for({"group", "signal", "grace"}, "signal");
      if (!r.Has("command")) {
        r.FailAt("command", "missing required key");
      }
      r.Array("command", [&](const Reader& item) {
        if (auto s = item.StringValue()) {
          a.command.push_back(*s);
        }
      });
      if (r.Has("command") && r.At("command").value().is_array() && a.command.empty() &&
          r.At("command").value().empty()) {
        r.FailAt("command", "expected a non-empty array: the program and its arguments");
      } else if (!a.command.empty() && a.command.front().empty()) {
        r.At("command").FailAt("0", "expected the program's path, got \"\"");
      }
    } else if (a.type == "signal") {
      only_for({"unit"}, "restart");
      only_for({"command", "timeout"}, "exec or restart");
      if (auto g = r.String("group", true)) {
        a.group = *g;
        if (declared.count(*g) == 0) {
          r.FailAt("group", "no process group named \"" + *g +
                                "\" (a signal action needs a group declared in /process_groups "
                                "with a fixed name)");
        }
      }
      if (auto s = r.String("signal")) {
        if (auto n = ParseSignal(*s)) {
          a.signal = *n;
          a.signal_name = s->rfind("SIG", 0) == 0 ? s->substr(3) : *s;
        } else {
          r.FailAt("signal", "expected one of TERM, INT, HUP, QUIT, KILL, USR1, USR2, CONT, STOP, "
                             "got \"" + *s + "\"");
        }
      }
      if (auto d = r.Duration("grace")) {
        a.grace = *d;
      }
    } else {
      r.FailAt("type", "expected one of restart, exec, signal, got \"" + a.type + "\"");
    }
    if (auto d = r.Duration("timeout")) {
      a.timeout = *d;
      if (d->count() == 0) {
        r.FailAt("timeout", "expected a duration above 0");
      }
    }
    if (auto d = r.Duration("backoff")) {
      a.backoff = *d;
    }
    if (auto d = r.Duration("max_backoff")) {
      a.max_backoff = *d;
    }
    if (a.max_backoff < a.backoff) {
      r.FailAt(r.Has("max_backoff") ? "max_backoff" : "backoff",
               "expected max_backoff (" + Ms(a.max_backoff) + ") at least backoff (" +
                   Ms(a.backoff) + ")");
    }
    if (auto n = r.Uint("limit_burst", 1000)) {
      a.limit_burst = static_cast<std::uint32_t>(*n);
      if (*n == 0) {
        r.FailAt("limit_burst", "expected an integer from 1 to 1000, got 0");
      }
    }
    if (auto d = r.Duration("limit_interval")) {
      a.limit_interval = *d;
      if (d->count() == 0) {
        r.FailAt("limit_interval", "expected a duration above 0");
      }
    }
    if (auto d = r.Duration("reset_after")) {
      a.reset_after = *d;
    }
    if (!a.name.empty() && !names.insert(a.name).second) {
      r.FailAt(r.Has("name") ? "name" : "type",
               "duplicate action name \"" + a.name + "\" in this check (give each a \"name\")");
    }
    out.push_back(std::move(a));
  });
  return out;
}

HeartbeatConfig ReadHeartbeat(const Reader& r, CheckConfig* check,
                              const KindReadContext& context) {
  HeartbeatConfig h;
  if (r.Has("period") == r.Has("schedule")) {
    r.Fail(r.Has("period") ? "expected \"period\" or \"schedule\", not both"
                           : "expected \"period\" (a beat every so often) or \"schedule\" "
                             "(cron's five fields, e.g. \"0 2 * * *\")");
  }
  if (auto d = r.Duration("period")) {
    h.period = *d;
    if (d->count() < 100) {
      r.FailAt("period", "expected a duration of at least 100ms, got " + Ms(*d));
    }
  }
  if (auto text = r.String("schedule")) {
    auto cron = ParseCron(*text);
    if (auto* err = std::get_if<std::string>(&cron)) {
      r.FailAt("schedule", *err);
    } else if (!NextRun(std::get<CronSchedule>(cron), TimeZone::Utc(), TimeZone::Seconds{0})) {
      r.FailAt("schedule", "\"" + *text + "\" never comes (no such date in 28 years)");
    } else {
      h.schedule = std::get<CronSchedule>(cron);
      h.schedule_text = *text;
    }
  }
  if (auto name = r.String("tz")) {
    if (!r.Has("schedule")) {
      r.FailAt("tz", "expected only with \"schedule\"");
    }
    auto zone = TimeZone::Load(*name);
    if (auto* err = std::get_if<std::string>(&zone)) {
      r.FailAt("tz", *err);
    } else {
      h.tz = std::get<TimeZone>(zone);
    }
  } else if (h.schedule) {
    auto zone = TimeZone::Load("localtime");  // the host's zone, as cron uses
    if (auto* err = std::get_if<std::string>(&zone)) {
      r.FailAt("schedule", "the host's time zone: " + *err + "; set \"tz\"");
    } else {
      h.tz = std::get<TimeZone>(zone);
    }
  }
  h.grace = h.schedule ? std::chrono::milliseconds(3'600'000) : h.period;
  if (auto d = r.Duration("grace")) {
    h.grace = *d;
  }
  if (auto t = r.String("token", true)) {
    h.token = *t;
    if (t->size() < kMinTokenLength) {
      // The message never repeats the token.
      r.FailAt("token", "expected a secret of at least " + std::to_string(kMinTokenLength) +
                            " characters, got " + std::to_string(t->size()));
    }
    for (const CheckConfig& other : context.earlier) {
      const auto* theirs = other.As<HeartbeatConfig>();
      if (theirs != nullptr && theirs->token == *t) {
        r.FailAt("token", "expected a token of its own, got the same as " + other.pointer +
                              " (/ping/<token> finds the check by it)");
      }
    }
  }
  // How often the scheduler looks at the last beat: often enough that a miss
  // is seen within a fifth of a period (at most 1 s late).
  using std::chrono::milliseconds;
  if (!r.Has("interval")) {
    check->interval = h.schedule ? milliseconds(1'000)
                                 : std::clamp(h.period / 5, milliseconds(100), milliseconds(1'000));
  }
  if (!r.Has("jitter")) {
    check->jitter = milliseconds(0);
  }
  if (!r.Has("timeout")) {
    check->timeout = std::min(check->timeout, check->interval);
  }
  return h;
}

}  // namespace vitals::config
