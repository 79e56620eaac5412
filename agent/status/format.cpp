#include "agent/status/format.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "agent/health/report.h"

namespace vitals::status {

std::string Fixed(double value, int digits) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, digits);
  return ec == std::errc() ? std::string(buf, end) : "?";
}

std::string Percent(double ratio) {
  const double p = ratio * 100;
  const double size = std::fabs(p);
  return Fixed(p, p == 0 || size >= 10 ? 0 : size >= 1 ? 1 : 2) + " %";
}

std::string Bytes(double bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  std::size_t unit = 0;
  while (std::fabs(bytes) >= 1024 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  return (unit == 0 ? Fixed(bytes, 0) : Fixed(bytes, std::fabs(bytes) < 10 ? 1 : 0)) + " " +
         kUnits[unit];
}

std::string Span(std::chrono::system_clock::duration d) {
  using namespace std::chrono;
  const auto s = duration_cast<seconds>(d).count();
  if (s < 0) {
    return "0 s";
  }
  auto two = [](long long big, const char* big_unit, long long small, const char* small_unit) {
    std::string out = std::to_string(big) + " " + big_unit;
    if (small > 0) {
      out += " " + std::to_string(small) + " " + small_unit;
    }
    return out;
  };
  if (s < 60) {
    return std::to_string(s) + " s";
  }
  if (s < 3600) {
    return two(s / 60, "min", s % 60, "s");
  }
  if (s < 86400) {
    return two(s / 3600, "h", s % 3600 / 60, "min");
  }
  return two(s / 86400, "d", s % 86400 / 3600, "h");
}

std::string Took(std::chrono::nanoseconds d) {
  const double ms = static_cast<double>(d.count()) / 1e6;
  if (ms < 1) {
    return "< 1 ms";
  }
  if (ms < 1000) {
    return Fixed(ms, 0) + " ms";
  }
  if (ms < 60'000) {
    return Fixed(ms / 1000, 2) + " s";
  }
  return Span(std::chrono::duration_cast<std::chrono::system_clock::duration>(d));
}

std::string Timestamp(WallTime t) { return health::FormatTime(t); }

std::string OneLine(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 8);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    // Whole characters only: the bytes of one UTF-8 sequence (a stray
    // continuation byte counts as one).
    const std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    std::string piece;
    if (c == '\n' || c == '\r' || c == '\t') {
      piece = " ";
    } else if (c < 0x20 || c == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      piece = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    } else {
      piece = text.substr(i, length);
    }
    if (out.size() + piece.size() > max_bytes) {
      out += "…";
      break;
    }
    out += piece;
    i += length;
  }
  return out;
}

}  // namespace vitals::status
