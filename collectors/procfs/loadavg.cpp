#include "collectors/procfs/loadavg.h"

#include <cmath>
#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {
constexpr std::string_view kPath = "loadavg";
}

Result<Loadavg> ParseLoadavg(std::string_view text) {
  Loadavg out;
  detail::Fields fields(text);
  double* loads[] = {&out.load1, &out.load5, &out.load15};
  for (double* load : loads) {
    auto field = fields.Next();
    auto value = field ? detail::ToDouble(*field) : std::nullopt;
    // from_chars also takes "-1.5", "nan" and "inf", which the kernel never writes.
    if (!value || field->front() == '-' || !std::isfinite(*value)) {
      return ParseError(std::string(kPath), "expected three load averages, got \"" +
                                                std::string(detail::TrimSpace(text)) + "\"");
    }
    *load = *value;
  }
  auto entities = fields.Next();
  auto last_pid = fields.Next();
  std::size_t slash = entities ? entities->find('/') : std::string_view::npos;
  auto runnable = slash != std::string_view::npos ? detail::ToU64(entities->substr(0, slash)) : std::nullopt;
  auto total = slash != std::string_view::npos ? detail::ToU64(entities->substr(slash + 1)) : std::nullopt;
  auto pid = last_pid ? detail::ToU64(*last_pid) : std::nullopt;
  if (!runnable || !total || !pid) {
    return ParseError(std::string(kPath), "expected \"runnable/total last_pid\" after the loads, got \"" +
                                              std::string(detail::TrimSpace(text)) + "\"");
  }
  out.runnable = *runnable;
  out.entities = *total;
  out.last_pid = *pid;
  return out;
}

Result<Loadavg> ReadLoadavg(const ProcFs& fs, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto(kPath, buffer), buffer, ParseLoadavg);
}

}  // namespace vitals::procfs
