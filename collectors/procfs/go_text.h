#pragma once
// Go's strings.Fields and strings.TrimSpace, for the parsers that must split
// a line exactly where node_exporter's Go code splits it (a mount point with
// a carriage return or a no-break space in its name, a btrfs label ending in
// one, an interface name holding U+00A0); strconv.ParseInt/ParseUint,
// whose base 0 takes "0x1f", "0o17", "017", "0b1" and underscores between
// digits (sysfs's "flags" is "0x1003", fc_host's counters are "0x1a"); and
// strconv.ParseFloat (hwmon's sensor values, the textfile parser's). Go's
// white space is unicode.IsSpace: ASCII \t \n \v \f \r and space,
// U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F and
// U+3000, decoded from UTF-8. A space's bytes can only start at a rune
// boundary (a lead byte is never inside a valid rune), so looking at every
// byte finds what Go's rune-by-rune scan finds, invalid UTF-8 included.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vitals::procfs::detail {

// The longest line a default bufio.Scanner returns: its 64 KiB buffer must
// hold the line and its '\n'. A longer one is Go's bufio.ErrTooLong.
inline constexpr std::size_t kGoMaxLine = 64 * 1024 - 1;

// Yields the lines of `text` as Go's bufio.Scanner with ScanLines does: split
// at '\n', one trailing '\r' dropped, no empty token after a final '\n'.
// Next() returns false at the end, or at a line past kGoMaxLine, which
// too_long() then tells.
class GoLines {
 public:
  explicit GoLines(std::string_view text) : rest_(text) {}
  bool Next(std::string_view& line) {
    if (rest_.empty() || too_long_) {
      return false;
    }
    std::size_t nl = rest_.find('\n');
    std::size_t len = nl == std::string_view::npos ? rest_.size() : nl;
    if (len > kGoMaxLine) {
      too_long_ = true;
      return false;
    }
    line = rest_.substr(0, len);
    rest_.remove_prefix(nl == std::string_view::npos ? len : len + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    ++number_;
    return true;
  }
  bool too_long() const { return too_long_; }
  std::size_t number() const { return number_; }  // of the last line returned, from 1

 private:
  std::string_view rest_;
  bool too_long_ = false;
  std::size_t number_ = 0;
};

// The length in bytes of the Go white-space rune that starts at s[i], or 0.
inline std::size_t GoSpaceAt(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100u;
  };
  const unsigned b0 = byte(0);
  switch (b0) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
      return 1;
    case 0xC2:  // U+0085, U+00A0
      return byte(1) == 0x85 || byte(1) == 0xA0 ? 2 : 0;
    case 0xE1:  // U+1680
      return byte(1) == 0x9A && byte(2) == 0x80 ? 3 : 0;
    case 0xE2: {
      const unsigned b1 = byte(1), b2 = byte(2);
      if (b1 == 0x80) {  // U+2000-U+200A, U+2028, U+2029, U+202F
        return (b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF ? 3 : 0;
      }
      return b1 == 0x81 && b2 == 0x9F ? 3 : 0;  // U+205F
    }
    case 0xE3:  // U+3000
      return byte(1) == 0x80 && byte(2) == 0x80 ? 3 : 0;
  }
  return 0;
}

// A byte from '!' to '~' is never (part of) a Go space: decided without a
// call to GoSpaceAt, which was most of the cost of splitting a line.
inline bool IsPrintableAscii(char c) { return c > ' ' && c < 0x7f; }

// strings.Fields: yields the runs of non-space bytes, without allocating.
class GoFields {
 public:
  explicit GoFields(std::string_view text) : rest_(text) {}
  bool Next(std::string_view& field) {
    std::size_t i = 0;
    while (i < rest_.size()) {
      std::size_t n = rest_[i] == ' ' ? 1 : GoSpaceAt(rest_, i);
      if (n == 0) {
        break;
      }
      i += n;
    }
    rest_.remove_prefix(i);
    if (rest_.empty()) {
      return false;
    }
    std::size_t end = 0;
    while (end < rest_.size() && (IsPrintableAscii(rest_[end]) || GoSpaceAt(rest_, end) == 0)) {
      ++end;
    }
    field = rest_.substr(0, end);
    rest_.remove_prefix(end);
    return true;
  }

 private:
  std::string_view rest_;
};

// strings.TrimSpace.
inline std::string_view GoTrimSpace(std::string_view s) {
  while (!s.empty()) {
    std::size_t n = GoSpaceAt(s, 0);
    if (n == 0) {
      break;
    }
    s.remove_prefix(n);
  }
  // From the end: a space rune is at most 3 bytes; find the one ending here.
  for (;;) {
    std::size_t n = 0;
    for (std::size_t len = 1; len <= 3 && len <= s.size(); ++len) {
      if (GoSpaceAt(s, s.size() - len) == len) {
        n = len;
        break;
      }
    }
    if (n == 0) {
      return s;
    }
    s.remove_suffix(n);
  }
}

// strconv.ParseUint(text, base, 64) and strconv.ParseInt(text, base, 64)
// for base 0 (the prefix decides, underscores allowed), 10 or 16; nullopt
// where Go returns an error (syntax or range).
std::optional<std::uint64_t> GoParseUint(std::string_view text, int base);
std::optional<std::int64_t> GoParseInt(std::string_view text, int base);

// strconv.ParseFloat(text, 64): decimal ("-1.5e3", ".5", "1_000") or
// hexadecimal with a binary exponent ("0x1.8p3"), and "inf", "infinity",
// "nan" in any case; nullopt on a syntax error or an overflow (Go's
// ErrRange), while an underflow gives zero, as in Go.
std::optional<double> GoParseFloat(std::string_view text);

}  // namespace vitals::procfs::detail
