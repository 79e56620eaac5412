// libFuzzer target: the config loader on a JSON text (config::Parse, the
// function --config.file and --config.check run). A bad document must come
// back as ConfigError, listing problems with their JSON pointers; any other
// exception escaping Parse is a bug (libFuzzer reports it as a crash).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const vitals::config::EnvLookup env = FakeEnv;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    vitals::config::Parse(text, "fuzz.json", env);
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
