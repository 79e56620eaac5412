#include "collectors/sysfs/os_release.h"

#include <optional>

#include "collectors/procfs/parse_util.h"

namespace vitals::sysfs {

namespace {

bool KeyStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool KeyChar(char c) {
  return KeyStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '/';
}

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::optional<char32_t> Hex4(std::string_view text) {
  if (text.size() < 4) {
    return std::nullopt;
  }
  auto unit = procfs::detail::FromChars<std::uint32_t>(text.substr(0, 4), 16);
  return unit ? std::optional<char32_t>(static_cast<char32_t>(*unit)) : std::nullopt;
}

// The value after '=' (trimmed), unquoted and unescaped; or why not.
std::optional<std::string> Unquote(std::string_view value, std::string& why) {
  enum Mode { kNormal, kDouble, kSingle };
  Mode mode = kNormal;
  std::string out;
  std::size_t significant = 0;  // out's length up to its last non-blank character
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (static_cast<unsigned char>(c) < 32) {
      why = "a control character in the value";
      return std::nullopt;
    }
    if (static_cast<unsigned char>(c) > 127) {  // part of a UTF-8 character
      out += c;
      significant = out.size();
      continue;
    }
    switch (mode) {
      case kNormal:
        if (c == '"') {
          mode = kDouble;
        } else if (c == '\'') {
          mode = kSingle;
        } else if (c == '#') {
          out.resize(significant);  // a comment: drop the blanks before it
          return out;
        } else {
          out += c;
          if (c != ' ' && c != '\t') {
            significant = out.size();
          }
        }
        break;
      case kSingle:
        if (c == '\'') {
          mode = kNormal;
        } else {
          out += c;
          significant = out.size();
        }
        break;
      case kDouble:
        if (c == '"') {
          mode = kNormal;
          break;
        }
        if (c != '\\') {
          out += c;
          significant = out.size();
          break;
        }
        if (++i == value.size()) {
          why = "incomplete escape sequence";
          return std::nullopt;
        }
        switch (value[i]) {
          case '"': case '\\': case '/': out += value[i]; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            auto unit = Hex4(value.substr(i + 1));
            if (!unit) {
              why = "incomplete or invalid \\u escape";
              return std::nullopt;
            }
            i += 4;
            char32_t c32 = *unit;
            if (c32 >= 0xD800 && c32 < 0xE000) {  // a surrogate: the pair's other half follows
              auto low = value.substr(i + 1, 2) == "\\u" ? Hex4(value.substr(i + 3)) : std::nullopt;
              if (!low) {
                why = "incomplete Unicode surrogate pair";
                return std::nullopt;
              }
              i += 6;
              c32 = c32 < 0xDC00 && *low >= 0xDC00 && *low < 0xE000
                        ? 0x10000 + ((c32 - 0xD800) << 10) + (*low - 0xDC00)
                        : 0xFFFD;  // not a valid pair: the replacement character, as Go
            }
            AppendUtf8(out, c32);
            break;
          }
          default:
            why = std::string("invalid escape sequence \\") + value[i];
            return std::nullopt;
        }
        significant = out.size();
        break;
    }
  }
  if (mode != kNormal) {
    why = mode == kDouble ? "unmatched \"" : "unmatched '";
    return std::nullopt;
  }
  return out;
}

}  // namespace

procfs::Result<OsRelease> ParseOsRelease(std::string_view path, std::string_view text) {
  OsRelease out;
  procfs::detail::Lines lines(text);
  while (auto raw = lines.Next()) {
    auto fail = [&](std::string_view why) {
      return procfs::ParseError(std::string(path),
                                "line " + std::to_string(lines.number()) + ": " + std::string(why));
    };
    std::string_view line = procfs::detail::TrimSpace(*raw);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return fail("missing =");
    }
    std::string_view key = procfs::detail::TrimSpace(line.substr(0, eq));
    std::string_view value = procfs::detail::TrimSpace(line.substr(eq + 1));
    if (key.size() > 7 && key.substr(0, 7) == "export ") {
      key.remove_prefix(7);
    }
    if (key.empty()) {
      return fail("empty key");
    }
    bool valid = KeyStart(key.front());
    for (char c : key.substr(1)) {
      valid = valid && KeyChar(c);
    }
    if (!valid) {
      return fail("a key must be [A-Za-z_][A-Za-z0-9_./]*, got \"" + std::string(key) + "\"");
    }
    std::string why;
    auto unquoted = Unquote(value, why);
    if (!unquoted) {
      return fail(why);
    }
    out[std::string(key)] = std::move(*unquoted);
  }
  return out;
}

procfs::Result<OsRelease> ReadOsRelease(const procfs::RootDir& root, std::string& buffer) {
  for (std::string_view path : {"etc/os-release", "usr/lib/os-release"}) {
    auto text = root.ReadInto(path, buffer);
    if (!text && text.error().code == procfs::Errc::kNotFound) {
      continue;
    }
    return procfs::ParseReadAndRelease(text, buffer, [path](std::string_view t) {
      return ParseOsRelease(path, t);
    });
  }
  return procfs::Error{procfs::Errc::kNotFound, "etc/os-release",
                       "neither etc/os-release nor usr/lib/os-release exists"};
}

}  // namespace vitals::sysfs
