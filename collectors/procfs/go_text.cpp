#include "collectors/procfs/go_text.h"

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs::detail {

namespace {

// Go's underscoreOK: underscores only between digits (a base prefix counts
// as a digit), never first or last.
bool UnderscoresOk(std::string_view s) {
  char saw = '^';
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    s.remove_prefix(1);
  }
  bool hex = false;
  auto lower = [](char c) { return static_cast<char>(c | 0x20); };
  if (s.size() >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if ((s[i] >= '0' && s[i] <= '9') || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') {
        return false;
      }
      saw = '_';
      continue;
    }
    if (saw == '_') {
      return false;
    }
    saw = '!';
  }
  return saw != '_';
}

}  // namespace

std::optional<std::uint64_t> GoParseUint(std::string_view text, int base) {
  if (base != 0) {
    return FromChars<std::uint64_t>(text, base);  // no sign, prefix or underscore then, as Go
  }
  if (text.empty()) {
    return std::nullopt;
  }
  const std::string_view whole = text;
  base = 10;
  if (text[0] == '0') {
    const char prefix = text.size() >= 3 ? static_cast<char>(text[1] | 0x20) : '\0';
    if (prefix == 'b' || prefix == 'o' || prefix == 'x') {
      base = prefix == 'b' ? 2 : prefix == 'o' ? 8 : 16;
      text.remove_prefix(2);
    } else {
      base = 8;
      text.remove_prefix(1);
    }
  }
  std::uint64_t value = 0;
  bool underscores = false;
  for (char c : text) {
    unsigned digit = 0;
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
      digit = static_cast<unsigned>((c | 0x20) - 'a' + 10);
    } else {
      return std::nullopt;
    }
    if (digit >= static_cast<unsigned>(base)) {
      return std::nullopt;
    }
    const auto b = static_cast<std::uint64_t>(base);
    if (value > (UINT64_MAX - digit) / b) {
      return std::nullopt;  // out of range
    }
    value = value * b + digit;
  }
  if (underscores && !UnderscoresOk(whole)) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> GoParseInt(std::string_view text, int base) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  auto magnitude = GoParseUint(text, base);
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;
  if (!magnitude || (!negative && *magnitude >= kLimit) || (negative && *magnitude > kLimit)) {
    return std::nullopt;
  }
  if (negative) {
    return *magnitude == kLimit ? INT64_MIN : -static_cast<std::int64_t>(*magnitude);
  }
  return static_cast<std::int64_t>(*magnitude);
}

}  // namespace vitals::procfs::detail
