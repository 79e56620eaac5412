#include "config/checks.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace vitals::config {

namespace {

constexpr std::uint64_t kMaxCount = 1000;

std::optional<double> Number(const Reader& r, std::string_view key) {
  if (!r.Has(key)) {
    return std::nullopt;
  }
  Reader v = r.At(key);
  if (!v.value().is_number() || !std::isfinite(v.value().get<double>())) {
    v.Fail("expected a number, got " + Describe(v.value()));
    return std::nullopt;
  }
  return v.value().get<double>();
}

std::vector<std::string> Strings(const Reader& r, std::string_view key) {
  std::vector<std::string> out;
  r.Array(key, [&](const Reader& item) {
    if (!item.value().is_string()) {
      item.Fail("expected a string, got " + Describe(item.value()));
      return;
    }
    out.push_back(item.value().get<std::string>());
  });
  return out;
}

int StatusCode(const Reader& r, std::string_view key, int fallback) {
  if (!r.Has(key)) {
    return fallback;
  }
  Reader v = r.At(key);
  const auto& j = v.value();
  if (!j.is_number_integer() || j.get<std::int64_t>() < 200 || j.get<std::int64_t>() > 599) {
    v.Fail("expected an HTTP status code from 200 to 599, got " + Describe(j));
    return fallback;
  }
  return static_cast<int>(j.get<std::int64_t>());
}

std::string Ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; }

}  // namespace

const std::vector<ValueInfo>& KnownValues() {
  static const std::vector<ValueInfo> kValues = {
      {"host.cpu_busy_ratio", false, true},
      {"host.memory_available_ratio", false, false},
      {"host.load1_per_core", false, true},
      {"host.load5_per_core", false, true},
      {"host.load15_per_core", false, true},
      {"host.filefd_ratio", false, true},
      {"host.swap_used_ratio", false, true},
      {"group.num_procs", true, false},
      {"group.cpu_ratio", true, true},
      {"group.memory_rss_bytes", true, true},
      {"group.num_threads", true, true},
      {"group.open_fds", true, true},
      {"group.worst_fd_ratio", true, true},
  };
  return kValues;
}

void ReadHealth(const Reader& root, HealthConfig* out) {
  if (!root.Has("health")) {
    return;
  }
  Reader h = root.At("health");
  if (!h.Object({"groups", "status_codes", "max_concurrency", "debug_state", "actions_dry_run"})) {
    return;
  }
  out->debug_state = h.Bool("debug_state").value_or(out->debug_state);
  out->actions_dry_run = h.Bool("actions_dry_run").value_or(out->actions_dry_run);
  for (std::string& group : Strings(h, "groups")) {
    if (std::find(out->groups.begin(), out->groups.end(), group) == out->groups.end()) {
      out->groups.push_back(std::move(group));
    }
  }
  if (h.Has("status_codes")) {
    Reader codes = h.At("status_codes");
    if (codes.Object({"healthy", "degraded", "unhealthy"})) {
      out->healthy_code = StatusCode(codes, "healthy", out->healthy_code);
      out->degraded_code = StatusCode(codes, "degraded", out->degraded_code);
      out->unhealthy_code = StatusCode(codes, "unhealthy", out->unhealthy_code);
    }
  }
  if (auto n = h.Uint("max_concurrency", 64)) {
    if (*n == 0) {
      h.FailAt("max_concurrency", "expected an integer from 1 to 64, got 0");
    } else {
      out->max_concurrency = *n;
    }
  }
}

void ReadChecks(const Reader& root, const HealthConfig& health,
                const std::vector<ProcessGroupConfig>& groups, std::vector<CheckConfig>* out) {
  std::set<std::string> declared;
  for (const auto& g : groups) {
    if (g.name.fixed()) {
      declared.insert(g.name.FixedName());
    }
  }
  std::set<std::string> names;
  root.Array("checks", [&](const Reader& r) {
    CheckConfig c;
    c.pointer = r.pointer();
    // A probe's own keys are checked by ReadProbe, with the keys every check has.
    static constexpr std::string_view kCommon[] = {
        "name", "kind", "tags", "interval", "timeout", "jitter", "staleness",
        "failures_before_unhealthy", "successes_before_healthy", "on_error", "actions"};
    const bool probe = r.value().is_object() && r.value().contains("kind") &&
                       r.value()["kind"].is_string() &&
                       IsProbeKind(r.value()["kind"].get<std::string>());
    // So are a heartbeat's (config/actions.cpp).
    const bool heartbeat = r.value().is_object() && r.value().value("kind", nlohmann::json()) ==
                                                        nlohmann::json("heartbeat");
    if (!probe && !heartbeat &&
        !r.Object({"name", "kind", "tags", "interval", "timeout", "jitter", "staleness",
                   "failures_before_unhealthy", "successes_before_healthy", "on_error", "value",
                   "group", "degraded", "unhealthy", "direction", "for", "min", "max",
                   "actions"})) {
      return;
    }
    c.definition = r.value().dump();
    if (auto name = r.String("name", true)) {
      if (name->empty()) {
        r.FailAt("name", "expected a non-empty name");
      } else if (name->find('/') != std::string::npos) {
        r.FailAt("name", "expected a name without '/' (it is a URL path element), got \"" +
                             *name + "\"");
      } else if (!names.insert(*name).second) {
        r.FailAt("name", "duplicate check name \"" + *name + "\"");
      }
      c.name = *name;
    }
    if (auto kind = r.String("kind", true)) {
      c.kind = *kind;
      if (c.kind != "threshold" && c.kind != "process" && c.kind != "heartbeat" &&
          !IsProbeKind(c.kind)) {
        std::string kinds = "threshold, process";
        for (std::string_view k : ProbeKinds()) {
          kinds += ", " + std::string(k);
        }
        kinds += ", heartbeat";
        r.FailAt("kind", "expected one of " + kinds + ", got \"" + c.kind + "\"");
      }
    }
    c.tags = Strings(r, "tags");
    for (std::size_t i = 0; i < c.tags.size(); ++i) {
      if (std::find(health.groups.begin(), health.groups.end(), c.tags[i]) ==
          health.groups.end()) {
        Reader tags = r.At("tags");
        tags.FailAt(std::to_string(i), "unknown tag group \"" + c.tags[i] +
                                           "\" (known: live, ready and /health/groups)");
      }
    }
    if (auto d = r.Duration("interval")) {
      c.interval = *d;
    }
    if (auto d = r.Duration("timeout")) {
      c.timeout = *d;
    }
    if (auto d = r.Duration("jitter")) {
      c.jitter = *d;
    }
    if (auto d = r.Duration("staleness")) {
      c.staleness = *d;
    }
    if (c.interval.count() == 0) {
      r.FailAt("interval", "expected a duration above 0");
    }
    if (c.timeout.count() == 0) {
      r.FailAt("timeout", "expected a duration above 0");
    }
    if (c.timeout > c.interval) {
      r.FailAt("timeout", "expected at most the interval (" + Ms(c.interval) + "), got " +
                              Ms(c.timeout));
    }
    if (c.jitter > c.interval) {
      r.FailAt("jitter", "expected at most the interval (" + Ms(c.interval) + "), got " +
                             Ms(c.jitter));
    }
    if (r.Has("staleness") && c.staleness < c.interval + c.timeout) {
      r.FailAt("staleness", "expected at least interval + timeout (" +
                                Ms(c.interval + c.timeout) + "), got " + Ms(c.staleness));
    }
    if (auto n = r.Uint("failures_before_unhealthy", kMaxCount)) {
      c.failures_before_unhealthy = static_cast<std::uint32_t>(*n);
      if (*n == 0) {
        r.FailAt("failures_before_unhealthy", "expected an integer from 1 to 1000, got 0");
      }
    }
    if (auto n = r.Uint("successes_before_healthy", kMaxCount)) {
      c.successes_before_healthy = static_cast<std::uint32_t>(*n);
      if (*n == 0) {
        r.FailAt("successes_before_healthy", "expected an integer from 1 to 1000, got 0");
      }
    }
    if (auto s = r.String("on_error")) {
      c.on_error = *s;
      if (c.on_error != "unhealthy" && c.on_error != "degraded" && c.on_error != "healthy") {
        r.FailAt("on_error", "expected one of unhealthy, degraded, healthy, got \"" + *s + "\"");
      }
    }
    if (r.Has("actions")) {
      Reader actions = r.At("actions");
      if (!actions.value().is_array()) {
        actions.Fail("expected an array, got " + Describe(actions.value()));
      } else {
        c.actions = actions.value();
        c.action_list = ReadActions(r, declared);
      }
    }
    auto group_exists = [&](const char* key) {
      if (auto g = r.String("group", true)) {
        c.group = *g;
        if (declared.count(*g) == 0) {
          r.FailAt("group", std::string("no process group named \"") + *g +
                                "\" (a " + key + " needs a group declared in /process_groups "
                                "with a fixed name)");
        }
      }
    };
    auto only_for = [&](std::initializer_list<const char*> keys, const char* kind) {
      for (const char* key : keys) {
        if (r.Has(key)) {
          r.FailAt(key, std::string("only allowed with kind ") + kind);
        }
      }
    };
    if (c.kind == "threshold") {
      only_for({"min", "max"}, "process");
      const ValueInfo* info = nullptr;
      if (auto v = r.String("value", true)) {
        c.value = *v;
        for (const auto& known : KnownValues()) {
          if (known.name == *v) {
            info = &known;
          }
        }
        if (info == nullptr) {
          std::string list;
          for (const auto& known : KnownValues()) {
            list += (list.empty() ? "" : ", ") + std::string(known.name);
          }
          r.FailAt("value", "expected one of " + list + ", got \"" + *v + "\"");
        }
      }
      if (info != nullptr && info->group) {
        group_exists("group value");
      } else if (info != nullptr && r.Has("group")) {
        r.FailAt("group", "not allowed with a host value");
      }
      c.above = info == nullptr || info->above;
      if (auto d = r.String("direction")) {
        if (*d == "above" || *d == "below") {
          c.above = *d == "above";
        } else {
          r.FailAt("direction", "expected above or below, got \"" + *d + "\"");
        }
      }
      c.degraded = Number(r, "degraded");
      c.unhealthy = Number(r, "unhealthy");
      if (!r.Has("degraded") && !r.Has("unhealthy")) {
        r.Fail("expected a \"degraded\" or an \"unhealthy\" level, or both");
      }
      if (c.degraded && c.unhealthy &&
          (c.above ? *c.degraded > *c.unhealthy : *c.degraded < *c.unhealthy)) {
        r.FailAt("degraded", std::string("expected the degraded level ") +
                                 (c.above ? "at or below" : "at or above") +
                                 " the unhealthy level with direction " +
                                 (c.above ? "above" : "below") + ", got " +
                                 Describe(r.At("degraded").value()) + " vs " +
                                 Describe(r.At("unhealthy").value()));
      }
      if (auto d = r.Duration("for")) {
        c.hold = *d;
      }
    } else if (probe) {
      c.probe = ReadProbe(r, c.kind, kCommon);
    } else if (heartbeat) {
      c.heartbeat = ReadHeartbeat(r, kCommon, &c);
    } else if (c.kind == "process") {
      only_for({"value", "degraded", "unhealthy", "direction", "for"}, "threshold");
      group_exists("process check");
      c.min = r.Uint("min", 1'000'000);
      c.max = r.Uint("max", 1'000'000);
      for (const auto& g : groups) {  // the group's declared bounds are the default
        if (g.name.fixed() && g.name.FixedName() == c.group) {
          c.min = c.min ? c.min : g.min;
          c.max = c.max ? c.max : g.max;
        }
      }
      if (!c.min) {
        c.min = 1;
      }
      if (c.max && *c.max < *c.min) {
        r.FailAt("max", "expected at least min (" + std::to_string(*c.min) + "), got " +
                            std::to_string(*c.max));
      }
    }
    out->push_back(std::move(c));
  });
}

}  // namespace vitals::config
