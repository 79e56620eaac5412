// libFuzzer target: the web config loader (--web.config.file: TLS, basic-auth
// users, protected paths, limits) on a JSON text. As with the agent config,
// a bad document must come back as ConfigError; any other exception is a bug.
// Relative file names resolve under a directory that does not exist.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "agent/http/web_config.h"
#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const vitals::config::EnvLookup env = [](std::string_view) -> std::optional<std::string> {
    return std::nullopt;
  };
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    vitals::http::ParseWebConfig(text, "fuzz-web.json", "/nonexistent-vitals-fuzz", env);
  } catch (const vitals::config::ConfigError& e) {
    if (e.problems().empty()) {
      std::abort();
    }
  }
  return 0;
}
