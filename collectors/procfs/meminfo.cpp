#include "collectors/procfs/meminfo.h"

#include <limits>
#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {
constexpr std::string_view kPath = "meminfo";
}

Result<std::vector<MeminfoField>> ParseMeminfo(std::string_view text) {
  std::vector<MeminfoField> out;
  out.reserve(64);
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    if (detail::TrimSpace(*line).empty()) {
      continue;
    }
    auto colon = line->find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return ParseError(std::string(kPath), "line " + std::to_string(lines.number()) +
                                                ": expected \"Name: value [kB]\", got \"" +
                                                std::string(*line) + "\"");
    }
    std::string_view name = line->substr(0, colon);
    detail::Fields fields(line->substr(colon + 1));
    auto number = fields.Next();
    auto unit = fields.Next();
    auto value = number ? detail::ToU64(*number) : std::nullopt;
    if (!value || fields.Next() || (unit && *unit != "kB")) {
      return ParseError(std::string(kPath), "field \"" + std::string(name) +
                                                "\": expected a number with optional kB, got \"" +
                                                std::string(detail::TrimSpace(line->substr(colon + 1))) + "\"");
    }
    std::uint64_t v = *value;
    if (unit) {
      if (v > std::numeric_limits<std::uint64_t>::max() / 1024) {
        return ParseError(std::string(kPath), "field \"" + std::string(name) + "\": overflows bytes");
      }
      v *= 1024;
    }
    out.push_back(MeminfoField{name, v, unit.has_value()});
  }
  if (out.empty()) {
    return ParseError(std::string(kPath), "no fields (empty file)");
  }
  return out;
}

Result<std::vector<MeminfoField>> ReadMeminfo(const ProcFs& fs, std::string& buffer) {
  return ParseReadViewing(fs.ReadInto(kPath, buffer), buffer, ParseMeminfo);
}

}  // namespace vitals::procfs
