#include "collectors/procfs/spl_kstat.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {

constexpr std::string_view kUint64Type = "4";  // KSTAT_DATA_UINT64

Error NotUnsigned(std::string_view path, std::string_view name, std::string_view value) {
  return ParseError(std::string(path), "statistic " + std::string(name) + ": \"" +
                                           std::string(value) + "\" is not an unsigned integer");
}

}  // namespace

Result<void> ParseKstatNamed(std::string_view path, std::string_view text,
                             std::vector<KstatValue>& out) {
  out.clear();
  bool started = false;
  std::string_view dataset;
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    detail::Fields fields(*line);
    std::string_view parts[3];
    std::size_t n = 0;
    while (n < 3) {
      auto field = fields.Next();
      if (!field) {
        break;
      }
      parts[n++] = *field;
    }
    const bool more = fields.Next().has_value();
    if (!started) {
      started = n == 3 && !more && parts[0] == "name" && parts[1] == "type" && parts[2] == "data";
      continue;
    }
    if (n < 3) {
      continue;
    }
    if (parts[0] == "dataset_name") {
      dataset = parts[2];
      continue;
    }
    if (parts[1] != kUint64Type) {
      continue;  // strings, signed and other types: node_exporter takes only uint64
    }
    auto value = detail::ToU64(parts[2]);
    if (!value) {
      return NotUnsigned(path, parts[0], parts[2]);
    }
    out.push_back({parts[0], *value, dataset});
  }
  if (!started) {
    return ParseError(std::string(path), "no \"name type data\" line");
  }
  return {};
}

Result<void> ParseKstatIo(std::string_view path, std::string_view text,
                          std::vector<KstatValue>& out) {
  out.clear();
  std::vector<std::string_view> columns;
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    detail::Fields fields(*line);
    if (columns.empty()) {
      std::vector<std::string_view> names;
      while (auto field = fields.Next()) {
        names.push_back(*field);
      }
      if (names.size() >= 12 && names[0] == "nread") {
        columns = std::move(names);
      }
      continue;
    }
    for (std::string_view column : columns) {
      auto field = fields.Next();
      if (!field) {
        return ParseError(std::string(path), "a line with fewer values than the " +
                                                 std::to_string(columns.size()) + " columns: \"" +
                                                 std::string(*line) + "\"");
      }
      auto value = detail::ToU64(*field);
      if (!value) {
        return NotUnsigned(path, column, *field);
      }
      out.push_back({column, *value, {}});
    }
  }
  return {};
}

std::string ParseKstatPoolState(std::string_view text) {
  std::string_view first = text.substr(0, text.find('\n'));
  if (!first.empty() && first.back() == '\r') {
    first.remove_suffix(1);  // as Go's line scanner drops it
  }
  std::string state(first);
  for (char& c : state) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return state;
}

}  // namespace vitals::procfs
