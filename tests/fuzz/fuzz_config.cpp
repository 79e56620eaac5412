// libFuzzer target: the config loader on a JSON text (config::Parse, the
// function --config.file and --config.check run). A bad document must come
// back as ConfigError, listing problems with their JSON pointers; any other
// exception escaping Parse is a bug (libFuzzer reports it as a crash). A
// document Parse accepts must be within the limits (config/document.h): at
// most kMaxDepth levels of nesting (counted here by nlohmann's own parser)
// and no duration over kMaxDuration.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "config/document.h"

namespace {

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

// Objects and arrays inside each other in `text`, as nlohmann counts them.
std::size_t Depth(std::string_view text) {
  std::size_t deepest = 0;
  using nlohmann::json;
  (void)json::parse(
      text,
      [&](int depth, json::parse_event_t event, json&) {
        if (event == json::parse_event_t::object_start ||
            event == json::parse_event_t::array_start) {
          deepest = std::max(deepest, static_cast<std::size_t>(depth) + 1);
        }
        return true;
      },
      false);
  return deepest;
}

void CheckDuration(std::chrono::milliseconds d) {
  if (d < std::chrono::milliseconds(0) || d > vitals::config::kMaxDuration) {
    std::abort();
  }
}

void CheckLimits(const vitals::config::Config& config, std::string_view text) {
  if (Depth(text) > vitals::config::kMaxDepth) {
    std::abort();
  }
  for (const auto& c : config.checks) {
    for (auto d : {c.interval, c.timeout, c.jitter, c.staleness, c.hold}) {
      CheckDuration(d);
    }
    if (c.heartbeat) {
      CheckDuration(c.heartbeat->period);
      CheckDuration(c.heartbeat->grace);
    }
    for (const auto& a : c.action_list) {
      for (auto d : {a.timeout, a.grace, a.backoff, a.max_backoff, a.limit_interval,
                     a.reset_after}) {
        CheckDuration(d);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const vitals::config::EnvLookup env = FakeEnv;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    CheckLimits(vitals::config::Parse(text, "fuzz.json", env), text);
  } catch (const vitals::config::ConfigError& e) {
    // Every problem names a place: a JSON pointer is "" or starts with '/'.
    if (e.problems().empty()) {
      std::abort();
    }
    for (const auto& p : e.problems()) {
      if (!p.pointer.empty() && p.pointer.front() != '/') {
        std::abort();
      }
    }
  }
  return 0;
}
