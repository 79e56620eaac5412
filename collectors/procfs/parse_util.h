#pragma once
// Small helpers shared by the parsers: numbers with std::from_chars (no locale,
// no allocation), whitespace splitting and line iteration over string_views.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace vitals::procfs::detail {

// The whole of `text` must be a number of type T (no sign for unsigned, no
// spaces); `format` is std::from_chars' for floating point.
template <class T, class... Format>
std::optional<T> FromChars(std::string_view text, Format... format) {
  T value = 0;
  if (text.empty()) {
    return std::nullopt;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, format...);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Decimal integers.
inline std::optional<std::uint64_t> ToU64(std::string_view text) {
  return FromChars<std::uint64_t>(text);
}
inline std::optional<std::int64_t> ToI64(std::string_view text) {
  return FromChars<std::int64_t>(text);
}
// Fixed notation only (no exponent).
inline std::optional<double> ToDouble(std::string_view text) {
  return FromChars<double>(text, std::chars_format::fixed);
}

// A number as Go's strconv.ParseFloat reads the kernel's counters: decimal,
// optionally signed, with a fraction or an exponent ("-1", "123", "2.5e3").
// A leading '+' is accepted as Go does; "nan" and "inf" are not numbers here.
inline std::optional<double> ToNumber(std::string_view text) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  std::string_view digits = text.substr(!text.empty() && text.front() == '-' ? 1 : 0);
  if (digits.empty() || !(digits.front() == '.' || (digits.front() >= '0' && digits.front() <= '9'))) {
    return std::nullopt;
  }
  // The kernel writes integers: those parse several times faster as such.
  if (auto integer = FromChars<std::int64_t>(text); integer && *integer > -(1LL << 53) &&
                                                   *integer < (1LL << 53)) {
    return static_cast<double>(*integer);
  }
  return FromChars<double>(text, std::chars_format::general);
}

inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// Yields whitespace-separated fields of a line without allocating.
class Fields {
 public:
  explicit Fields(std::string_view text) : rest_(text) {}
  std::optional<std::string_view> Next() {
    while (!rest_.empty() && IsSpace(rest_.front())) {
      rest_.remove_prefix(1);
    }
    if (rest_.empty()) {
      return std::nullopt;
    }
    std::size_t end = 0;
    while (end < rest_.size() && !IsSpace(rest_[end])) {
      ++end;
    }
    std::string_view field = rest_.substr(0, end);
    rest_.remove_prefix(end);
    return field;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// Yields the lines of a file; a missing trailing newline still yields the last line.
class Lines {
 public:
  explicit Lines(std::string_view text) : rest_(text) {}
  std::optional<std::string_view> Next() {
    if (rest_.empty()) {
      return std::nullopt;
    }
    std::size_t nl = rest_.find('\n');
    std::string_view line = rest_.substr(0, nl);
    rest_.remove_prefix(nl == std::string_view::npos ? rest_.size() : nl + 1);
    ++number_;
    return line;
  }
  // Of the last line returned, from 1: for errors that say where.
  std::size_t number() const { return number_; }

 private:
  std::string_view rest_;
  std::size_t number_ = 0;
};

// Yields the "key: value" lines of files like <pid>/status and <pid>/io, split
// at the first ':' (the value untrimmed); lines without a ':' are skipped.
struct KeyValue {
  std::string_view key;
  std::string_view value;
};
class KeyValueLines {
 public:
  explicit KeyValueLines(std::string_view text) : lines_(text) {}
  std::optional<KeyValue> Next() {
    while (auto line = lines_.Next()) {
      auto colon = line->find(':');
      if (colon != std::string_view::npos) {
        return KeyValue{line->substr(0, colon), line->substr(colon + 1)};
      }
    }
    return std::nullopt;
  }

 private:
  Lines lines_;
};

// A name that `names` has twice, if any: a file the kernel writes names each
// device once, and two series of the same labels would make Prometheus
// reject the whole scrape. Sorts `names`.
inline std::optional<std::string_view> FindRepeated(std::vector<std::string_view>& names) {
  std::sort(names.begin(), names.end());
  auto it = std::adjacent_find(names.begin(), names.end());
  return it == names.end() ? std::nullopt : std::optional<std::string_view>(*it);
}

}  // namespace vitals::procfs::detail
