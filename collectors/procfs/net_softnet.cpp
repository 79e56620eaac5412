#include "collectors/procfs/net_softnet.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {
constexpr std::string_view kPath = "net/softnet_stat";
}

Result<std::vector<SoftnetCpu>> ParseSoftnet(std::string_view text) {
  std::vector<SoftnetCpu> out;
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    detail::Fields fields(*line);
    std::uint32_t first[3] = {};
    int columns = 0;
    bool ok = true;
    while (auto field = fields.Next()) {
      if (columns < 3) {
        auto value = detail::FromChars<std::uint32_t>(*field, 16);
        ok = ok && value.has_value();
        first[columns] = value.value_or(0);
      }
      ++columns;
    }
    if (columns == 0) {
      continue;
    }
    if (!ok || columns < 9) {
      return ParseError(std::string(kPath), "expected 9 or more hexadecimal columns, got \"" +
                                                std::string(*line) + "\"");
    }
    out.push_back({first[0], first[1], first[2]});
  }
  return out;
}

Result<std::vector<SoftnetCpu>> ReadSoftnet(const ProcFs& fs, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto(kPath, buffer), buffer, ParseSoftnet);
}

}  // namespace vitals::procfs
