#include "collectors/sysfs/bcache.h"

#include <cmath>

#include "collectors/procfs/go_text.h"
#include "collectors/procfs/parse_util.h"
#include "collectors/sysfs/uuid_dirs.h"

namespace vitals::sysfs {

namespace {

using procfs::ParseError;
using procfs::Result;

// bch_hprint's units (drivers/md/bcache/util.c): powers of 1024.
std::optional<double> UnitFactor(char unit) {
  constexpr std::string_view kUnits = "kMGTPEZY";
  std::size_t at = kUnits.find(unit);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  return std::ldexp(1.0, 10 * static_cast<int>(at + 1));
}

// bch_hprint's "<int>.<tenth>" as procfs reads it: the digit after the point
// divided by 10.24 (the kernel prints tenths of 1024, procfs maps 0-9 back
// that way), the rest after a second point ignored.
std::optional<double> PseudoFloat(std::string_view text) {
  std::size_t dot = text.find('.');
  auto integer = procfs::detail::ToNumber(text.substr(0, dot));
  if (!integer || dot == std::string_view::npos) {
    return integer;
  }
  std::string_view rest = text.substr(dot + 1);
  auto fraction = procfs::detail::ToNumber(rest.substr(0, rest.find('.')));
  if (!fraction) {
    return std::nullopt;
  }
  return *integer + *fraction / 10.24;
}

// procfs' dehumanize: a plain number, or a bch_hprint one with its unit.
std::optional<std::uint64_t> Dehumanize(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  std::optional<double> value;
  if (text.back() > '9') {
    auto factor = UnitFactor(text.back());
    auto mantissa = PseudoFloat(text.substr(0, text.size() - 1));
    if (!factor || !mantissa) {
      return std::nullopt;
    }
    value = *mantissa * *factor;
  } else {
    value = procfs::detail::ToNumber(text);
  }
  // Truncated toward zero, as Go's uint64(float64).
  if (!value || !(*value >= 0) || *value >= 18446744073709551616.0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(*value);
}

// procfs' dehumanizeSigned: a leading '-' taken off, then negated.
std::optional<std::int64_t> DehumanizeSigned(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  auto magnitude = Dehumanize(negative ? text.substr(1) : text);
  if (!magnitude || *magnitude > static_cast<std::uint64_t>(INT64_MAX) + (negative ? 1 : 0)) {
    return std::nullopt;
  }
  return negative ? static_cast<std::int64_t>(0 - *magnitude)
                  : static_cast<std::int64_t>(*magnitude);
}

std::string_view LastField(std::string_view line) {
  procfs::detail::GoFields fields(line);
  std::string_view field, last;
  while (fields.Next(field)) {
    last = field;
  }
  return last;
}

std::string_view TrimSuffix(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix
             ? s.substr(0, s.size() - suffix.size())
             : s;
}

procfs::Error LineError(std::string_view path, std::size_t number, std::string_view line) {
  return ParseError(std::string(path), "line " + std::to_string(number) + ": \"" +
                                           std::string(line) + "\" is not a value bcache prints");
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Names in `names` that are `prefix` and a digit, then anything (a glob
// "<prefix>[0-9]*").
std::vector<std::string> Numbered(const std::vector<std::string>& names, std::string_view prefix) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    if (name.size() > prefix.size() && StartsWith(name, prefix) && name[prefix.size()] >= '0' &&
        name[prefix.size()] <= '9') {
      out.push_back(name);
    }
  }
  return out;
}

}  // namespace

Result<std::uint64_t> ParseBcacheValue(std::string_view path, std::string_view text) {
  if (text.empty()) {
    return ParseError(std::string(path), "empty file");
  }
  auto value = Dehumanize(text.substr(0, text.size() - 1));
  if (!value) {
    return ParseError(std::string(path),
                      "\"" + std::string(text) + "\" is not a value bcache prints");
  }
  return *value;
}

Result<BcacheWriteback> ParseBcacheWriteback(std::string_view path, std::string_view text) {
  BcacheWriteback out;
  procfs::detail::GoLines lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    const std::string_view value = LastField(line);
    bool ok = true;
    auto set_unsigned = [&](std::optional<std::uint64_t>& field, std::string_view v) {
      field = Dehumanize(v);
      ok = field.has_value();
    };
    auto set_signed = [&](std::optional<std::int64_t>& field, std::string_view v) {
      field = DehumanizeSigned(v);
      ok = field.has_value();
    };
    if (StartsWith(line, "rate:")) {
      set_unsigned(out.rate, TrimSuffix(value, "/sec"));
    } else if (StartsWith(line, "dirty:")) {
      set_unsigned(out.dirty, value);
    } else if (StartsWith(line, "target:")) {
      set_unsigned(out.target, value);
    } else if (StartsWith(line, "proportional:")) {
      set_signed(out.proportional, value);
    } else if (StartsWith(line, "integral:")) {
      set_signed(out.integral, value);
    } else if (StartsWith(line, "change:")) {
      set_signed(out.change, TrimSuffix(value, "/sec"));
    } else if (StartsWith(line, "next io:")) {
      out.next_io_ms = procfs::detail::GoParseInt(TrimSuffix(value, "ms"), 10);
      ok = out.next_io_ms.has_value();
    }
    if (!ok) {
      return LineError(path, lines.number(), line);
    }
  }
  if (lines.too_long()) {
    return ParseError(std::string(path), "a line is longer than " +
                                             std::to_string(procfs::detail::kGoMaxLine) + " bytes");
  }
  return out;
}

Result<BcachePriority> ParseBcachePriority(std::string_view path, std::string_view text) {
  BcachePriority out;
  procfs::detail::GoLines lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    std::optional<std::uint64_t>* field = StartsWith(line, "Unused:")     ? &out.unused_percent
                                          : StartsWith(line, "Metadata:") ? &out.metadata_percent
                                                                          : nullptr;
    if (field == nullptr) {
      continue;
    }
    *field = procfs::detail::ToU64(TrimSuffix(LastField(line), "%"));
    if (!*field) {
      return LineError(path, lines.number(), line);
    }
  }
  if (lines.too_long()) {
    return ParseError(std::string(path), "a line is longer than " +
                                             std::to_string(procfs::detail::kGoMaxLine) + " bytes");
  }
  return out;
}

Result<std::vector<BcacheSet>> ListBcacheSets(const procfs::RootDir& sys) {
  std::vector<BcacheSet> out;
  auto names = UuidEntries(sys, "fs/bcache");
  if (!names) {
    return names.error();
  }
  for (const std::string& name : *names) {
    BcacheSet set{name, "fs/bcache/" + name, {}, {}};
    auto entries = sys.Entries(set.dir);
    if (!entries) {
      return entries.error();
    }
    set.bdevs = Numbered(*entries, "bdev");
    set.caches = Numbered(*entries, "cache");
    out.push_back(std::move(set));
  }
  return out;
}

Result<std::optional<std::uint64_t>> ReadBcacheValue(const procfs::RootDir& sys,
                                                     const std::string& path, std::string& buffer) {
  auto text = sys.ReadInto(path, buffer);
  if (!text) {
    if (text.error().code == procfs::Errc::kNotFound) {
      return std::optional<std::uint64_t>();
    }
    return text.error();
  }
  auto value = ParseBcacheValue(path, *text);
  if (!value) {
    return value.error();
  }
  return std::optional<std::uint64_t>(*value);
}

}  // namespace vitals::sysfs
