#include "collectors/procfs/go_text.h"

#include <charconv>
#include <limits>
#include <string>
#include <system_error>

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

char Lower(char c) { return static_cast<char>(c | 0x20); }  // of an ASCII letter

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string WithoutUnderscores(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != '_') {
      out += c;
    }
  }
  return out;
}

// Go's strconv.special: "inf", "infinity" (optionally signed) and "nan", any case.
std::optional<double> GoSpecialFloat(std::string_view s) {
  auto equal_ignoring_case = [](std::string_view text, std::string_view lower) {
    if (text.size() != lower.size()) {
      return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] + 32) : text[i];
      if (c != lower[i]) {
        return false;
      }
    }
    return true;
  };
  if (equal_ignoring_case(s, "nan")) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  double sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  if (equal_ignoring_case(s, "inf") || equal_ignoring_case(s, "infinity")) {
    return sign * std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

// Whether a mantissa (digits, '_' and at most one '.') times 10^exponent
// (2^exponent for a hexadecimal one) is huge rather than tiny: from_chars
// reports both as out of range, Go only the overflow. Only ever asked about
// values past 1e308 or below 1e-307, so the sign of the scale decides.
bool IsOverflow(std::string_view mantissa, std::string_view exponent, bool hex) {
  std::size_t point = mantissa.find('.');
  if (point == std::string_view::npos) {
    point = mantissa.size();
  }
  const std::size_t first = mantissa.find_first_of("123456789abcdefABCDEF");
  long long scale = first < point ? static_cast<long long>(point - first)
                                  : -static_cast<long long>(first - point);
  long long exp = 0;
  bool negative = false;
  for (char c : exponent) {
    if (c == '-') {
      negative = true;
    } else if (IsDigit(c) && exp < 1'000'000) {
      exp = exp * 10 + (c - '0');
    }
  }
  return (hex ? 4 * scale : scale) + (negative ? -exp : exp) > 0;
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

std::optional<double> GoParseFloat(std::string_view text) {
  if (auto special = GoSpecialFloat(text)) {
    return special;
  }
  // The syntax of Go's readFloat, which must then span the whole text.
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  bool hex = false;
  if (i + 2 < text.size() && text[i] == '0' && Lower(text[i + 1]) == 'x') {
    hex = true;
    i += 2;
  }
  const std::size_t mantissa_start = i;
  bool saw_dot = false;
  bool saw_digits = false;
  bool underscores = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      underscores = true;
    } else if (c == '.' && !saw_dot) {
      saw_dot = true;
    } else if (IsDigit(c) || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw_digits = true;
    } else {
      break;
    }
  }
  if (!saw_digits) {
    return std::nullopt;
  }
  const std::size_t mantissa_end = i;
  if (i < text.size() && Lower(text[i]) == (hex ? 'p' : 'e')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      ++i;
    }
    if (i >= text.size() || !IsDigit(text[i])) {
      return std::nullopt;
    }
    for (; i < text.size() && (IsDigit(text[i]) || text[i] == '_'); ++i) {
      underscores = underscores || text[i] == '_';
    }
  } else if (hex) {
    return std::nullopt;  // a hexadecimal float needs its exponent
  }
  if (i != text.size() || (underscores && !UnderscoresOk(text))) {
    return std::nullopt;
  }
  // The number proper, without sign, prefix or underscores, for from_chars.
  std::string cleaned;
  std::string_view body = text.substr(mantissa_start);
  if (underscores) {
    cleaned = WithoutUnderscores(body);
    body = cleaned;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), value,
                                   hex ? std::chars_format::hex : std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    if (IsOverflow(text.substr(mantissa_start, mantissa_end - mantissa_start),
                   text.substr(mantissa_end), hex)) {
      return std::nullopt;
    }
    value = 0;
  } else if (ec != std::errc() || end != body.data() + body.size()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

}  // namespace vitals::procfs::detail
