#pragma once
// UTF-8 checks shared by the JSON log (agent/log/log.cpp) and the terminal text
// of `vitals status` (agent/cli/terminal_text.cpp): both take any bytes and
// must keep well-formed text as it is and make the rest visible.

#include <cstddef>
#include <string_view>

namespace vitals {

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629:
// no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
inline std::size_t Utf8SequenceLength(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    lo = static_cast<unsigned char>(c == 0xe0 ? 0xa0 : 0x80);
    hi = static_cast<unsigned char>(c == 0xed ? 0x9f : 0xbf);
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    lo = static_cast<unsigned char>(c == 0xf0 ? 0x90 : 0x80);
    hi = static_cast<unsigned char>(c == 0xf4 ? 0x8f : 0xbf);
  } else {
    return 0;
  }
  if (s.size() < n || b(1) < lo || b(1) > hi) {
    return 0;
  }
  for (std::size_t i = 2; i < n; ++i) {
    if (b(i) < 0x80 || b(i) > 0xbf) {
      return 0;
    }
  }
  return n;
}

}  // namespace vitals
