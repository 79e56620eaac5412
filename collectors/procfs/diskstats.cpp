#include "collectors/procfs/diskstats.h"

#include <string>

#include "collectors/procfs/go_text.h"
#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {
constexpr std::size_t kMaxFields = 20;  // the format procfs scans
constexpr std::size_t kMinFields = 14;  // fewer: the line is skipped
}  // namespace

Result<std::vector<DiskStats>> ParseDiskstats(std::string_view text) {
  std::vector<DiskStats> out;
  detail::GoLines lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    detail::GoFields fields(line);
    DiskStats disk;
    std::string_view field;
    while (disk.fields < kMaxFields && fields.Next(field)) {
      const std::size_t i = disk.fields;
      bool ok = true;
      if (i < 2) {
        auto number = detail::FromChars<std::uint32_t>(field);
        ok = number.has_value();
        (i == 0 ? disk.major : disk.minor) = number.value_or(0);
      } else if (i == 2) {
        disk.name = field;
      } else {
        auto number = detail::ToU64(field);
        ok = number.has_value();
        disk.counters[i - 3] = number.value_or(0);
      }
      if (!ok) {
        return ParseError("diskstats", "line " + std::to_string(lines.number()) + " field " +
                                           std::to_string(i + 1) + ": \"" + std::string(field) +
                                           "\" is not a decimal number of " +
                                           (i < 2 ? "32" : "64") + " bits");
      }
      ++disk.fields;
    }
    if (disk.fields >= kMinFields) {
      out.push_back(disk);
    }
  }
  if (lines.too_long()) {
    return ParseError("diskstats", "line " + std::to_string(lines.number() + 1) +
                                       " is longer than " + std::to_string(detail::kGoMaxLine) +
                                       " bytes");
  }
  std::vector<std::string_view> names;
  names.reserve(out.size());
  for (const DiskStats& disk : out) {
    names.push_back(disk.name);
  }
  if (auto repeated = detail::FindRepeated(names)) {
    return ParseError("diskstats", "device \"" + std::string(*repeated) + "\" appears twice");
  }
  return out;
}

}  // namespace vitals::procfs
