#include "collectors/procfs/schedstat.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {
constexpr std::string_view kPath = "schedstat";
}

Result<std::vector<SchedstatCpu>> ParseSchedstat(std::string_view text) {
  std::vector<SchedstatCpu> out;
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    detail::Fields fields(*line);
    auto key = fields.Next();
    if (!key || key->substr(0, 3) != "cpu") {
      continue;
    }
    SchedstatCpu cpu;
    cpu.cpu = key->substr(3);
    std::uint64_t numbers[9];
    bool ok = detail::ToU64(cpu.cpu).has_value();
    for (std::uint64_t& number : numbers) {
      auto field = ok ? fields.Next() : std::nullopt;
      auto value = field ? detail::ToU64(*field) : std::nullopt;
      ok = value.has_value();
      number = value.value_or(0);
    }
    if (!ok) {
      return ParseError(std::string(kPath), "expected \"cpuN\" and 9 numbers, got \"" +
                                                std::string(*line) + "\"");
    }
    cpu.running_ns = numbers[6];
    cpu.waiting_ns = numbers[7];
    cpu.timeslices = numbers[8];
    out.push_back(cpu);
  }
  return out;
}

Result<std::vector<SchedstatCpu>> ReadSchedstat(const ProcFs& fs, std::string& buffer) {
  return ParseReadViewing(fs.ReadInto(kPath, buffer), buffer, ParseSchedstat);
}

}  // namespace vitals::procfs
