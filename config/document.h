#pragma once
// The bounds every config file is held to before its sections are read:
// --config.file (at start, SIGHUP, POST /-/reload, --config.check) and
// --web.config.file all come through ReadFile and ParseJson.
//
//  - Size: at most kMaxFileBytes, checked with fstat before anything is read
//    (and again while reading, for a file that grows). Only a regular file is
//    read, opened non-blocking: a FIFO or a device would hang the reload.
//  - Nesting: at most kMaxDepth levels of objects and arrays, enforced by the
//    SAX parser as it goes, so no recursive walk of the document (dump,
//    compare, copy, destroy) ever runs deep on a worker thread's stack.
//  - Duplicate keys are problems with their JSON pointer
//    (`/checks: duplicate key "checks"`); nlohmann would keep the last
//    silently.
//
// Problems are config::Problem with a pointer, thrown as one ConfigError, as
// the sections report theirs.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "config/reader.h"

namespace vitals::config {

inline constexpr std::size_t kMaxFileBytes = 4 * 1024 * 1024;
// Objects and arrays inside each other, the document's own included; the
// deepest valid config nests 6 (/checks/0/actions/0/command/0).
inline constexpr std::size_t kMaxDepth = 32;

// The text of the file at `path`. Throws ConfigError (source: the path).
std::string ReadFile(const std::filesystem::path& path);

// Parses `text` within the limits above. Throws ConfigError naming `source`
// with every duplicate key, or the one syntax, size or depth problem.
nlohmann::json ParseJson(std::string_view text, std::string_view source);

}  // namespace vitals::config
