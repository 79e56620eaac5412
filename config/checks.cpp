#include "config/checks.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace vitals::config {

namespace {

constexpr std::uint64_t kMaxCount = 1000;

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

constexpr std::string_view kCommonKeys[] = {
    "name", "kind", "tags", "interval", "timeout", "jitter", "staleness",
    "failures_before_unhealthy", "successes_before_healthy", "on_error", "actions"};

std::span<const std::string_view> CommonCheckKeys() { return kCommonKeys; }

std::optional<double> ReadNumber(const Reader& r, std::string_view key) {
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

std::string ReadDeclaredGroup(const Reader& r, const KindReadContext& context,
                              std::string_view what) {
  auto g = r.String("group", true);
  if (!g) {
    return {};
  }
  if (context.declared.count(*g) == 0) {
    r.FailAt("group", "no process group named \"" + *g + "\" (a " + std::string(what) +
                          " needs a group declared in /process_groups with a fixed name)");
  }
  return *g;
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
                const std::vector<ProcessGroupConfig>& groups, KindTable kinds,
                std::vector<CheckConfig>* out) {
  std::set<std::string> declared;
  for (const auto& g : groups) {
    if (g.name.fixed()) {
      declared.insert(g.name.FixedName());
    }
  }
  KindReadContext context{groups, declared};
  std::set<std::string> names;
  root.Array("checks", [&](const Reader& r) {
    if (!r.value().is_object()) {
      r.Fail("expected an object, got " + Describe(r.value()));
      return;
    }
    CheckConfig c;
    c.pointer = r.pointer();
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
    const KindSpec* kind = nullptr;
    if (auto k = r.String("kind", true)) {
      c.kind = *k;
      for (const KindSpec& spec : kinds) {
        if (spec.name == c.kind) {
          kind = &spec;
        }
      }
      if (kind == nullptr) {
        std::string list;
        for (const KindSpec& spec : kinds) {
          list += (list.empty() ? "" : ", ") + std::string(spec.name);
        }
        r.FailAt("kind", "expected one of " + list + ", got \"" + c.kind + "\"");
      }
    }
    // Unknown keys: neither every check's nor the kind's (with no kind known,
    // only the kind's own are left unjudged).
    for (const auto& [key, unused] : r.value().items()) {
      const bool common = std::find(std::begin(kCommonKeys), std::end(kCommonKeys), key) !=
                          std::end(kCommonKeys);
      const bool own = kind != nullptr &&
                       std::find(kind->keys.begin(), kind->keys.end(), key) != kind->keys.end();
      if (common || own || kind == nullptr) {
        continue;
      }
      std::string others;  // the kinds that have it, to say where it belongs
      for (const KindSpec& spec : kinds) {
        if (std::find(spec.keys.begin(), spec.keys.end(), key) != spec.keys.end()) {
          others += (others.empty() ? "" : ", ") + std::string(spec.name);
        }
      }
      r.FailAt(key, others.empty() ? "unknown key" : "only allowed with kind " + others);
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
    if (kind != nullptr) {
      const std::size_t before = r.problem_count();
      context.earlier = *out;
      auto settings = kind->read(r, c, context);
      if (r.problem_count() == before) {
        c.settings = std::move(settings);
      }
    }
    // After the kind's reader, which may have set its own defaults.
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
    out->push_back(std::move(c));
  });
}

}  // namespace vitals::config
