#include "collectors/sysfs/go_glob.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>

#include "collectors/procfs/root_dir.h"
#include "text/utf8.h"

namespace vitals::sysfs {

namespace {

// scanChunk: the stars before the next chunk, the chunk, the rest.
struct Chunk {
  bool star = false;
  std::string_view chunk;
  std::string_view rest;
};
Chunk ScanChunk(std::string_view pattern) {
  Chunk out;
  while (!pattern.empty() && pattern.front() == '*') {
    pattern.remove_prefix(1);
    out.star = true;
  }
  bool in_range = false;
  std::size_t i = 0;
  for (; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) {
        ++i;
      }
    } else if (c == '[') {
      in_range = true;
    } else if (c == ']') {
      in_range = false;
    } else if (c == '*' && !in_range) {
      break;
    }
  }
  out.chunk = pattern.substr(0, i);
  out.rest = pattern.substr(i);
  return out;
}

// getEsc: one possibly escaped character of a class; false: bad pattern.
bool GetEsc(std::string_view& chunk, char32_t& r) {
  if (chunk.empty() || chunk.front() == '-' || chunk.front() == ']') {
    return false;
  }
  if (chunk.front() == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) {
      return false;
    }
  }
  auto [rune, n] = text::DecodeRune(chunk);
  r = rune;
  chunk.remove_prefix(n);
  return !(rune == text::kRuneError && n == 1) && !chunk.empty();
}

// matchChunk: does `chunk` match a prefix of `s`? On a match `rest` is what
// follows. nullopt: bad pattern (checked even after the match failed).
std::optional<bool> MatchChunk(std::string_view chunk, std::string_view s, std::string_view& rest) {
  bool failed = false;
  while (!chunk.empty()) {
    if (!failed && s.empty()) {
      failed = true;
    }
    switch (chunk.front()) {
      case '[': {
        char32_t r = 0;
        if (!failed) {
          auto [rune, n] = text::DecodeRune(s);
          r = rune;
          s.remove_prefix(n);
        }
        chunk.remove_prefix(1);
        bool negated = false;
        if (!chunk.empty() && chunk.front() == '^') {
          negated = true;
          chunk.remove_prefix(1);
        }
        bool match = false;
        int ranges = 0;
        for (;;) {
          if (!chunk.empty() && chunk.front() == ']' && ranges > 0) {
            chunk.remove_prefix(1);
            break;
          }
          char32_t lo = 0;
          if (!GetEsc(chunk, lo)) {
            return std::nullopt;
          }
          char32_t hi = lo;
          if (chunk.front() == '-') {
            chunk.remove_prefix(1);
            if (!GetEsc(chunk, hi)) {
              return std::nullopt;
            }
          }
          if (lo <= r && r <= hi) {
            match = true;
          }
          ++ranges;
        }
        if (match == negated) {
          failed = true;
        }
        break;
      }
      case '?':
        if (!failed) {
          if (s.front() == '/') {
            failed = true;
          }
          s.remove_prefix(text::DecodeRune(s).second);
        }
        chunk.remove_prefix(1);
        break;
      case '\\':
        chunk.remove_prefix(1);
        if (chunk.empty()) {
          return std::nullopt;
        }
        [[fallthrough]];
      default:
        if (!failed) {
          if (chunk.front() != s.front()) {
            failed = true;
          }
          s.remove_prefix(1);
        }
        chunk.remove_prefix(1);
        break;
    }
  }
  if (failed) {
    return false;
  }
  rest = s;
  return true;
}

bool HasMeta(std::string_view path) {
  return path.find_first_of("*?[\\") != std::string_view::npos;
}

// glob(): the names in directory `dir` matching `pattern`, appended to `out`.
bool GlobDir(const std::string& dir, std::string_view pattern, std::vector<std::string>& out) {
  auto opened = procfs::RootDir::Open(dir);  // O_DIRECTORY: a file is skipped
  if (!opened) {
    return true;  // I/O errors are ignored, as in Go
  }
  auto names = opened->Entries(".");
  if (!names) {
    return true;
  }
  for (const std::string& name : *names) {
    auto matched = GoMatch(pattern, name);
    if (!matched) {
      return false;
    }
    if (*matched) {
      out.push_back(GoJoin(dir, name));
    }
  }
  return true;
}

std::optional<std::vector<std::string>> Glob(const std::string& pattern, int depth) {
  if (!GoMatch(pattern, "") || depth > 10000) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  if (!HasMeta(pattern)) {
    struct stat st {};
    if (::lstat(pattern.c_str(), &st) == 0) {
      out.push_back(pattern);
    }
    return out;
  }
  // Split at the last '/'; the directory without its trailing separator
  // ("" is ".", "/" stays).
  const std::size_t slash = pattern.rfind('/');
  const std::string_view file =
      std::string_view(pattern).substr(slash == std::string::npos ? 0 : slash + 1);
  const std::string dir = slash == std::string::npos ? std::string(".")
                          : slash == 0               ? std::string("/")
                                                     : pattern.substr(0, slash);
  if (!HasMeta(dir)) {
    if (!GlobDir(dir, file, out)) {
      return std::nullopt;
    }
    return out;
  }
  if (dir == pattern) {
    return std::nullopt;
  }
  auto dirs = Glob(dir, depth + 1);
  if (!dirs) {
    return std::nullopt;
  }
  for (const std::string& d : *dirs) {
    if (!GlobDir(d, file, out)) {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

std::optional<bool> GoMatch(std::string_view pattern, std::string_view name) {
  while (!pattern.empty()) {
    const Chunk c = ScanChunk(pattern);
    pattern = c.rest;
    if (c.star && c.chunk.empty()) {
      return name.find('/') == std::string_view::npos;  // a trailing * takes the rest
    }
    std::string_view rest;
    auto ok = MatchChunk(c.chunk, name, rest);
    if (ok && *ok && (rest.empty() || !pattern.empty())) {
      name = rest;
      continue;
    }
    if (!ok) {
      return std::nullopt;
    }
    bool advanced = false;
    if (c.star) {
      // Skip 1, 2, ... characters (never a '/') and try the chunk again.
      for (std::size_t i = 0; i < name.size() && name[i] != '/'; ++i) {
        auto skipped = MatchChunk(c.chunk, name.substr(i + 1), rest);
        if (skipped && *skipped) {
          if (pattern.empty() && !rest.empty()) {
            continue;
          }
          name = rest;
          advanced = true;
          break;
        }
        if (!skipped) {
          return std::nullopt;
        }
      }
    }
    if (advanced) {
      continue;
    }
    // No match: still report a malformed rest of the pattern.
    while (!pattern.empty()) {
      const Chunk next = ScanChunk(pattern);
      pattern = next.rest;
      std::string_view unused;
      if (!MatchChunk(next.chunk, "", unused)) {
        return std::nullopt;
      }
    }
    return false;
  }
  return name.empty();
}

std::optional<std::vector<std::string>> GoGlob(const std::string& pattern) {
  return Glob(pattern, 0);
}

std::string GoClean(std::string_view path) {
  if (path.empty()) {
    return ".";
  }
  const bool rooted = path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    std::string_view part = path.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);  // a relative path may climb; "/.." is "/"
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += '/';
    }
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

std::string GoJoin(std::string_view dir, std::string_view name) {
  if (dir.empty()) {
    return name.empty() ? std::string() : GoClean(name);
  }
  if (name.empty()) {
    return GoClean(dir);
  }
  std::string joined(dir);
  joined += '/';
  joined += name;
  return GoClean(joined);
}

}  // namespace vitals::sysfs
