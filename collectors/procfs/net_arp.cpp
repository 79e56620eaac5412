#include "collectors/procfs/net_arp.h"

#include "collectors/procfs/go_text.h"
#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {
constexpr std::string_view kPath = "net/arp";
// The kernel's six columns, two of their names in two words.
constexpr std::size_t kColumns = 6;
}  // namespace

Result<void> ParseArp(std::string_view text, std::vector<ArpDevice>& out) {
  out.clear();
  detail::Lines lines(text);
  auto header = lines.Next();
  if (!header || !header->starts_with("IP address") ||
      !detail::GoTrimSpace(*header).ends_with("Device")) {
    return ParseError(std::string(kPath), "expected the header \"IP address ... Device\", got \"" +
                                              std::string(header.value_or("")) + "\"");
  }
  std::size_t last = 0;  // the device of the previous line: entries come grouped
  while (auto line = lines.Next()) {
    // Split as Go's strings.Fields does, as node_exporter reads the device.
    detail::GoFields fields(*line);
    std::string_view device;
    std::size_t columns = 0;
    for (std::string_view field; fields.Next(field);) {
      device = field;
      ++columns;
    }
    if (columns < kColumns) {
      return ParseError(std::string(kPath), "expected " + std::to_string(kColumns) +
                                                " columns, got \"" + std::string(*line) + "\"");
    }
    if (last < out.size() && out[last].device == device) {
      ++out[last].entries;
      continue;
    }
    last = 0;
    while (last < out.size() && out[last].device != device) {
      ++last;
    }
    if (last == out.size()) {
      out.push_back({device, 0});
    }
    ++out[last].entries;
  }
  return {};
}

Result<void> ReadArp(const ProcFs& fs, std::string& buffer, std::vector<ArpDevice>& out) {
  return ParseReadViewing(fs.ReadInto(kPath, buffer), buffer,
                          [&out](std::string_view text) { return ParseArp(text, out); });
}

}  // namespace vitals::procfs
