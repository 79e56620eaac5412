#pragma once
// Structured logging to stderr in logfmt (the default, like Prometheus
// exporters) or JSON (--log.format). Thread-safe; one line per call.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace vitals::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kLogfmt, kJson };

std::optional<Level> ParseLevel(std::string_view text);
std::optional<Format> ParseFormat(std::string_view text);

void Configure(Level level, Format format);
bool Enabled(Level level);

using Field = std::pair<std::string_view, std::string>;
void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view msg, std::initializer_list<Field> f = {}) { Write(Level::kDebug, msg, f); }
inline void Info(std::string_view msg, std::initializer_list<Field> f = {}) { Write(Level::kInfo, msg, f); }
inline void Warn(std::string_view msg, std::initializer_list<Field> f = {}) { Write(Level::kWarn, msg, f); }
inline void Error(std::string_view msg, std::initializer_list<Field> f = {}) { Write(Level::kError, msg, f); }

}  // namespace vitals::log
