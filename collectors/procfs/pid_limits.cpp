#include "collectors/procfs/pid_limits.h"

#include <string>
#include <vector>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {

constexpr std::string_view kPath = "<pid>/limits";

std::optional<std::uint64_t> LimitValue(std::string_view text) {
  if (text == "unlimited") {
    return Limit::kUnlimited;
  }
  return detail::ToU64(text);
}

}  // namespace

Result<PidLimits> ParsePidLimits(std::string_view text) {
  PidLimits out;
  bool seen_open_files = false;
  detail::Lines lines(text);
  bool header = true;
  std::vector<std::string_view> tokens;
  while (auto line = lines.Next()) {
    if (header) {  // "Limit  Soft Limit  Hard Limit  Units"
      header = false;
      if (line->substr(0, 5) != "Limit") {
        return ParseError(std::string(kPath), "missing the \"Limit\" header line");
      }
      continue;
    }
    // "<name words> <soft> <hard> [units]": read from the right, since the
    // name has spaces and the units column is blank for some limits.
    tokens.clear();
    detail::Fields fields(*line);
    while (auto f = fields.Next()) {
      tokens.push_back(*f);
    }
    if (tokens.empty()) {
      continue;
    }
    if (!LimitValue(tokens.back())) {
      tokens.pop_back();  // units
    }
    if (tokens.size() < 3) {
      return ParseError(std::string(kPath), "short line \"" + std::string(*line) + "\"");
    }
    auto hard = LimitValue(tokens[tokens.size() - 1]);
    auto soft = LimitValue(tokens[tokens.size() - 2]);
    std::string_view first = tokens.front();
    std::string_view last_name = tokens[tokens.size() - 3];
    std::string_view name(first.data(),
                          static_cast<std::size_t>(last_name.data() + last_name.size() - first.data()));
    if (!hard || !soft) {
      // Quote the whole line: on a cut line the name guessed above is wrong.
      return ParseError(std::string(kPath), "line \"" + std::string(detail::TrimSpace(*line)) +
                                                "\": expected \"<name> <soft> <hard> [units]\" "
                                                "with numbers or \"unlimited\"");
    }
    Limit limit{*soft, *hard};
    if (name == "Max open files") {
      out.open_files = limit;
      seen_open_files = true;
    } else if (name == "Max address space") {
      out.address_space = limit;
    } else if (name == "Max processes") {
      out.processes = limit;
    }
  }
  if (!seen_open_files) {
    return ParseError(std::string(kPath), "missing \"Max open files\" (truncated file?)");
  }
  return out;
}

Result<PidLimits> ReadPidLimits(const ProcFs& fs, int pid, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadPidFile(pid, "limits", buffer), buffer, ParsePidLimits);
}

Result<PidLimits> ReadPidLimitsAt(const ProcFs& fs, std::string_view path, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto(path, buffer), buffer, ParsePidLimits);
}

}  // namespace vitals::procfs
