// libFuzzer target: the duration parser ("15s", "1m30s", "500ms") and the
// ${ENV} expansion every config string goes through (config/reader.h).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "config/reader.h"

namespace {

std::optional<std::string> FakeEnv(std::string_view name) {
  if (name == "A") {
    return std::string("${B}");  // never expanded twice
  }
  if (name.size() == 1) {
    return std::string(name) + "$$";
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const vitals::config::EnvLookup env = FakeEnv;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto d = vitals::config::ParseDuration(text)) {
    if (d->count() < 0) {
      std::abort();  // a duration is never negative (no wrap-around on overflow)
    }
    if (text.empty()) {
      std::abort();  // "" is not a duration
    }
  }

  std::string error;
  auto expanded = vitals::config::ExpandEnv(text, env, &error);
  if (expanded.has_value() == !error.empty()) {
    std::abort();  // exactly one of a value and an error
  }
  return 0;
}
