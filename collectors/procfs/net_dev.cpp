#include "collectors/procfs/net_dev.h"

#include <algorithm>
#include <optional>

#include "collectors/procfs/go_text.h"
#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {

constexpr std::string_view kPath = "net/dev";

// The next '|'-separated segment of a header line.
std::string_view NextSegment(std::string_view& line) {
  std::size_t bar = line.find('|');
  std::string_view segment = line.substr(0, bar);
  line.remove_prefix(bar == std::string_view::npos ? line.size() : bar + 1);
  return segment;
}

// The device listed twice, if any (the kernel lists each once).
std::optional<std::string_view> Duplicate(std::vector<std::string_view> names) {
  std::sort(names.begin(), names.end());
  auto twice = std::adjacent_find(names.begin(), names.end());
  return twice == names.end() ? std::nullopt : std::optional(*twice);
}

}  // namespace

Result<void> ParseNetDev(std::string_view text, NetDev& out) {
  out.columns.clear();
  out.devices.clear();
  out.values.clear();
  detail::Lines lines(text);
  auto groups = lines.Next();
  auto names = lines.Next();
  if (!groups || !names) {
    return ParseError(std::string(kPath), "expected two header lines");
  }
  // "Inter-|   Receive    |  Transmit" over " face |bytes packets ...|bytes ...":
  // each '|' segment of the second line holds the columns of the group named
  // in the same segment of the first.
  std::string_view group_line = *groups;
  std::string_view name_line = *names;
  NextSegment(group_line);
  NextSegment(name_line);
  while (!name_line.empty() || !group_line.empty()) {
    std::string_view group = detail::TrimSpace(NextSegment(group_line));
    std::string_view columns = NextSegment(name_line);
    if (group != "Receive" && group != "Transmit") {
      return ParseError(std::string(kPath), "expected the header's groups to be Receive and "
                                            "Transmit, got \"" + std::string(*groups) + "\"");
    }
    detail::Fields fields(columns);
    while (auto name = fields.Next()) {
      out.columns.push_back({group == "Transmit", *name});
    }
  }
  if (out.columns.empty()) {
    return ParseError(std::string(kPath), "no columns in the header \"" + std::string(*names) + "\"");
  }
  while (auto line = lines.Next()) {
    std::size_t colon = line->rfind(':');
    std::string_view name = colon == std::string_view::npos
                                ? std::string_view()
                                : detail::GoTrimSpace(line->substr(0, colon));
    if (name.empty()) {
      return ParseError(std::string(kPath), "expected \"<device>: <counters>\", got \"" +
                                                std::string(*line) + "\"");
    }
    detail::GoFields fields(line->substr(colon + 1));
    for (std::size_t i = 0; i < out.columns.size(); ++i) {
      std::string_view field;
      const bool present = fields.Next(field);
      auto value = present ? detail::ToU64(field) : std::nullopt;
      if (!value) {
        return ParseError(std::string(kPath),
                          "device \"" + std::string(name) + "\": expected " +
                              std::to_string(out.columns.size()) + " counters, column " +
                              std::to_string(i + 1) + " is " +
                              (present ? "\"" + std::string(field) + "\"" : "missing"));
      }
      out.values.push_back(*value);
    }
    out.devices.push_back(name);
  }
  if (auto twice = Duplicate(out.devices)) {
    return ParseError(std::string(kPath), "device \"" + std::string(*twice) + "\" is listed twice");
  }
  return {};
}

Result<void> ReadNetDev(const ProcFs& fs, std::string& buffer, NetDev& out) {
  return ParseReadViewing(fs.ReadInto(kPath, buffer), buffer,
                          [&out](std::string_view text) { return ParseNetDev(text, out); });
}

}  // namespace vitals::procfs
