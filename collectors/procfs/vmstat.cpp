#include "collectors/procfs/vmstat.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {
constexpr std::string_view kPath = "vmstat";
}

Result<std::vector<VmstatField>> ParseVmstat(std::string_view text) {
  std::vector<VmstatField> out;
  out.reserve(192);
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    detail::Fields fields(*line);
    auto name = fields.Next();
    if (!name) {
      continue;
    }
    auto number = fields.Next();
    auto value = number ? detail::ToNumber(*number) : std::nullopt;
    if (!value) {
      return ParseError(std::string(kPath), "line " + std::to_string(lines.number()) +
                                                ": expected \"name number\", got \"" +
                                                std::string(*line) + "\"");
    }
    out.push_back({*name, *value});
  }
  return out;
}

Result<std::vector<VmstatField>> ReadVmstat(const ProcFs& fs, std::string& buffer) {
  return ParseReadViewing(fs.ReadInto(kPath, buffer), buffer, ParseVmstat);
}

}  // namespace vitals::procfs
