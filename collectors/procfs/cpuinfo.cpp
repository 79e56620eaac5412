#include "collectors/procfs/cpuinfo.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {
constexpr std::string_view kPath = "cpuinfo";
}

Result<std::vector<CpuInfo>> ParseCpuInfo(std::string_view text) {
  std::vector<CpuInfo> out;
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    // "key<tabs>: value": the key is trimmed, the value is all after ": ".
    std::size_t sep = line->find(": ");
    if (sep == std::string_view::npos) {
      if (out.empty() && !detail::TrimSpace(*line).empty()) {
        return ParseError(std::string(kPath), "expected \"processor\t: N\" first, got \"" +
                                                  std::string(*line) + "\"");
      }
      continue;  // a blank line between processors, or "power management:"
    }
    std::string_view key = detail::TrimSpace(line->substr(0, sep));
    std::string_view value = line->substr(sep + 2);
    if (key == "processor") {
      if (!detail::ToU64(value)) {
        return ParseError(std::string(kPath), "processor \"" + std::string(value) +
                                                  "\" is not a number");
      }
      out.emplace_back().processor = value;
      continue;
    }
    if (out.empty()) {
      return ParseError(std::string(kPath), "expected \"processor\t: N\" first, got \"" +
                                                std::string(*line) + "\"");
    }
    CpuInfo& cpu = out.back();
    struct Field { std::string_view key; std::string_view* out; };
    const Field fields[] = {
        {"vendor_id", &cpu.vendor_id},   {"vendor", &cpu.vendor_id},
        {"cpu family", &cpu.cpu_family}, {"model", &cpu.model},
        {"model name", &cpu.model_name}, {"stepping", &cpu.stepping},
        {"microcode", &cpu.microcode},   {"cache size", &cpu.cache_size},
        {"physical id", &cpu.physical_id}, {"core id", &cpu.core_id},
        {"flags", &cpu.flags},           {"bugs", &cpu.bugs},
    };
    for (const Field& field : fields) {
      if (key == field.key) {
        *field.out = value;
        break;
      }
    }
  }
  if (out.empty()) {
    return ParseError(std::string(kPath), "no processor (empty file)");
  }
  return out;
}

Result<std::vector<CpuInfo>> ReadCpuInfo(const ProcFs& fs, std::string& buffer) {
  return ParseReadViewing(fs.ReadInto(kPath, buffer), buffer, ParseCpuInfo);
}

}  // namespace vitals::procfs
