#pragma once
// UTF-8 as RFC 3629 defines it (no overlong forms, no surrogates, nothing past
// U+10FFFF), decoded as Go's unicode/utf8 does (DecodeRuneInString). The one
// decoder of the agent: the JSON log and `vitals status` keep well-formed text
// and make the rest visible; sysfs label values, the textfile format and Go's
// glob patterns go rune by rune; process names become valid label values.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace vitals::text {

inline constexpr char32_t kRuneError = 0xFFFD;

// The first rune of `s` and its length in bytes; an invalid sequence (bad
// bytes, overlong, a surrogate, past U+10FFFF, cut short) is (kRuneError, 1),
// an empty string (kRuneError, 0).
inline std::pair<char32_t, std::size_t> DecodeRune(std::string_view s) {
  if (s.empty()) {
    return {kRuneError, 0};
  }
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) {
    return {b0, 1};
  }
  std::size_t n = 0;
  char32_t r = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, r = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, r = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, r = b0 & 0x07, min = 0x10000;
  } else {
    return {kRuneError, 1};
  }
  if (s.size() < n) {
    return {kRuneError, 1};
  }
  for (std::size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) {
      return {kRuneError, 1};
    }
    r = (r << 6) | (b & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
    return {kRuneError, 1};
  }
  return {r, n};
}

// The length of the well-formed sequence at the start of `s` (an encoded
// U+FFFD included), or 0 where there is none (an invalid byte, or nothing).
inline std::size_t Utf8SequenceLength(std::string_view s) {
  const auto [rune, n] = DecodeRune(s);
  return rune == kRuneError && n <= 1 ? 0 : n;
}

// Is `s` valid UTF-8?
inline bool ValidUtf8(std::string_view s) {
  while (!s.empty()) {
    const std::size_t n = Utf8SequenceLength(s);
    if (n == 0) {
      return false;
    }
    s.remove_prefix(n);
  }
  return true;
}

// Go's strings.ToValidUTF8(s, "\uFFFD"): each run of bytes that are not
// valid UTF-8 becomes one U+FFFD (node_exporter's repair of dmi, hwmon and
// power supply label values).
inline std::string GoToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_invalid_run = false;
  while (!s.empty()) {
    std::size_t n = Utf8SequenceLength(s);
    if (n == 0) {
      if (!in_invalid_run) {
        out += "\xef\xbf\xbd";
      }
      in_invalid_run = true;
      n = 1;
    } else {
      out.append(s.substr(0, n));
      in_invalid_run = false;
    }
    s.remove_prefix(n);
  }
  return out;
}

}  // namespace vitals::text
