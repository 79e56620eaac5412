#include "collectors/procfs/net_conntrack.h"

#include <array>
#include <utility>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {

constexpr std::string_view kPath = "net/stat/nf_conntrack";
// A header has at most this many columns (17 today).
constexpr std::size_t kMaxColumns = 64;

using Field = std::uint64_t ConntrackStat::*;
constexpr std::array<std::pair<std::string_view, Field>, 8> kWanted = {{
    {"found", &ConntrackStat::found},
    {"invalid", &ConntrackStat::invalid},
    {"ignore", &ConntrackStat::ignore},
    {"insert", &ConntrackStat::insert},
    {"insert_failed", &ConntrackStat::insert_failed},
    {"drop", &ConntrackStat::drop},
    {"early_drop", &ConntrackStat::early_drop},
    {"search_restart", &ConntrackStat::search_restart},
}};

}  // namespace

Result<ConntrackStat> ParseConntrackStat(std::string_view text) {
  detail::Lines lines(text);
  auto header = lines.Next();
  // Which field each column adds to (null: not exported).
  std::array<Field, kMaxColumns> columns{};
  std::size_t width = 0;
  std::size_t found = 0;
  if (header) {
    detail::Fields names(*header);
    while (auto name = names.Next()) {
      if (width == kMaxColumns) {
        return ParseError(std::string(kPath), "more than " + std::to_string(kMaxColumns) +
                                                  " columns in the header");
      }
      for (const auto& [wanted, field] : kWanted) {
        if (*name == wanted) {
          columns[width] = field;
          ++found;
        }
      }
      ++width;
    }
  }
  if (found != kWanted.size()) {
    return ParseError(std::string(kPath), "expected a header naming found, invalid, ignore, insert, "
                                          "insert_failed, drop, early_drop and search_restart, got \"" +
                                              std::string(header.value_or("")) + "\"");
  }
  ConntrackStat sum;
  while (auto line = lines.Next()) {
    detail::Fields fields(*line);
    std::size_t column = 0;
    bool ok = true;
    while (auto field = fields.Next()) {
      auto value = column < width ? detail::FromChars<std::uint64_t>(*field, 16) : std::nullopt;
      if (!value) {
        ok = false;
        break;
      }
      if (columns[column] != nullptr) {
        sum.*columns[column] += *value;
      }
      ++column;
    }
    if (!ok || column != width) {
      return ParseError(std::string(kPath), "expected " + std::to_string(width) +
                                                " hexadecimal counters, got \"" + std::string(*line) + "\"");
    }
  }
  return sum;
}

Result<ConntrackStat> ReadConntrackStat(const ProcFs& fs, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto(kPath, buffer), buffer, ParseConntrackStat);
}

}  // namespace vitals::procfs
