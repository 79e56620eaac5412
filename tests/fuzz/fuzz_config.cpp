// libFuzzer target: the config loader on a JSON text (config::Parse, the
// function --config.file and --config.check run), with every check kind's
// reader (the agent's table of kinds). A bad document must come
// back as ConfigError, listing problems with their JSON pointers; any other
// exception escaping Parse is a bug (libFuzzer reports it as a crash).
//
// The bounded parser under it (config::ParseJson, config/document.h) is
// checked against nlohmann's own: it refuses what nlohmann refuses, refuses
// nesting past kMaxDepth and duplicate keys (both counted here with
// nlohmann's parser callback), and otherwise builds the same document. A
// config Parse accepts has no duration past kMaxDuration.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/health/kind.h"
#include "agent/health/threshold_check.h"
#include "config/config.h"
#include "config/document.h"

namespace {

using nlohmann::json;

// ${HOME} and ${TOKEN} are set, everything else is unset.
std::optional<std::string> FakeEnv(std::string_view name) {
  if (name == "HOME") {
    return std::string("/home/fuzz");
  }
  if (name == "TOKEN") {
    return std::string("s3cr$t}{");
  }
  return std::nullopt;
}

void Require(bool condition) {
  if (!condition) {
    std::abort();
  }
}

void RequireProblem(std::string_view text, std::string_view message) {
  try {
    (void)vitals::config::ParseJson(text, "fuzz.json");
  } catch (const vitals::config::ConfigError& e) {
    Require(std::any_of(e.problems().begin(), e.problems().end(), [&](const auto& p) {
      return p.message.find(message) != std::string::npos;
    }));
    return;
  }
  std::abort();
}

// Keys in all objects of `value` (nlohmann keeps one of each duplicate).
std::size_t CountKeys(const json& value) {
  std::size_t n = value.is_object() ? value.size() : 0;
  if (value.is_structured()) {
    for (const auto& child : value) {
      n += CountKeys(child);
    }
  }
  return n;
}

void CheckParseJson(std::string_view text) {
  std::size_t depth = 0, keys = 0;
  const json reference = json::parse(
      text,
      [&](int level, json::parse_event_t event, json&) {
        if (event == json::parse_event_t::object_start ||
            event == json::parse_event_t::array_start) {
          depth = std::max(depth, static_cast<std::size_t>(level) + 1);
        } else if (event == json::parse_event_t::key) {
          ++keys;
        }
        return true;
      },
      false);
  // The depth first: both parsers stop where the nesting passes the limit,
  // before a syntax error further on.
  if (depth > vitals::config::kMaxDepth) {
    RequireProblem(text, "nested deeper than");
  } else if (reference.is_discarded()) {
    RequireProblem(text, "invalid JSON");
  } else if (CountKeys(reference) != keys) {  // recursion bounded by the depth above
    RequireProblem(text, "duplicate key");
  } else {
    Require(vitals::config::ParseJson(text, "fuzz.json") == reference);
  }
}

void RequireDuration(std::chrono::milliseconds d) {
  Require(d >= std::chrono::milliseconds(0) && d <= vitals::config::kMaxDuration);
}

void CheckDurations(const vitals::config::Config& config) {
  for (const auto& c : config.checks) {
    for (auto d : {c.interval, c.timeout, c.jitter, c.staleness}) {
      RequireDuration(d);
    }
    if (const auto* threshold = c.As<vitals::health::ThresholdSettings>()) {
      RequireDuration(std::chrono::duration_cast<std::chrono::milliseconds>(threshold->hold));
    }
    if (const auto* heartbeat = c.As<vitals::config::HeartbeatConfig>()) {
      RequireDuration(heartbeat->period);
      RequireDuration(heartbeat->grace);
    }
    for (const auto& a : c.action_list) {
      for (auto d : {a.timeout, a.grace, a.backoff, a.max_backoff, a.limit_interval,
                     a.reset_after}) {
        RequireDuration(d);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const vitals::config::EnvLookup env = FakeEnv;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckParseJson(text);
  try {
    CheckDurations(vitals::config::Parse(text, "fuzz.json", env,
                                         vitals::health::CheckKinds::Builtin().table()));
  } catch (const vitals::config::ConfigError& e) {
    // Every problem names a place: a JSON pointer is "" or starts with '/'.
    Require(!e.problems().empty());
    for (const auto& p : e.problems()) {
      Require(p.pointer.empty() || p.pointer.front() == '/');
    }
  }
  return 0;
}
