#include "collectors/procfs/stat.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {

constexpr std::string_view kPath = "stat";

Result<CpuTimes> ParseCpuLine(std::string_view key, detail::Fields& fields) {
  CpuTimes times;
  if (key.size() > 3) {
    auto index = detail::ToU64(key.substr(3));
    if (!index || *index > 1u << 20) {
      return ParseError(std::string(kPath), "bad cpu line key \"" + std::string(key) + "\"");
    }
    times.cpu = static_cast<int>(*index);
  }
  while (auto field = fields.Next()) {
    if (times.columns == CpuTimes::kModes) {
      break;  // a future kernel's extra column
    }
    auto value = detail::ToU64(*field);
    if (!value) {
      return ParseError(std::string(kPath), std::string(key) + ": \"" + std::string(*field) +
                                                "\" is not a tick count");
    }
    times.ticks[static_cast<std::size_t>(times.columns++)] = *value;
  }
  if (times.columns < 4) {  // user nice system idle exist on every kernel
    return ParseError(std::string(kPath), std::string(key) + ": expected at least 4 columns, got " +
                                              std::to_string(times.columns));
  }
  return times;
}

}  // namespace

Result<Stat> ParseStat(std::string_view text) {
  Stat stat;
  enum Seen : unsigned { kCpu = 1, kIntr = 2, kCtxt = 4, kBtime = 8, kProcesses = 16,
                         kRunning = 32, kBlocked = 64, kAll = 127 };
  unsigned seen = 0;
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    detail::Fields fields(*line);
    auto key = fields.Next();
    if (!key) {
      continue;
    }
    if (key->substr(0, 3) == "cpu") {
      auto times = ParseCpuLine(*key, fields);
      if (!times) {
        return times.error();
      }
      if (times->cpu < 0) {
        stat.total = *times;
        seen |= kCpu;
      } else {
        stat.cpus.push_back(*times);
      }
      continue;
    }
    if (*key == "softirq") {
      auto total = fields.Next();
      auto value = total ? detail::ToU64(*total) : std::nullopt;
      for (std::uint64_t& vector : stat.softirq) {
        auto field = value ? fields.Next() : std::nullopt;
        auto count = field ? detail::ToU64(*field) : std::nullopt;
        value = count ? value : std::nullopt;
        vector = count.value_or(0);
      }
      if (!value) {
        return ParseError(std::string(kPath), "softirq: expected a total and 10 counts, got \"" +
                                                  std::string(*line) + "\"");
      }
      stat.softirq_total = *value;
      stat.has_softirq = true;
      continue;
    }
    struct Single { std::string_view key; std::uint64_t* out; unsigned bit; };
    const Single singles[] = {
        {"intr", &stat.interrupts, kIntr},        {"ctxt", &stat.context_switches, kCtxt},
        {"btime", &stat.boot_time, kBtime},       {"processes", &stat.forks, kProcesses},
        {"procs_running", &stat.procs_running, kRunning},
        {"procs_blocked", &stat.procs_blocked, kBlocked},
    };
    for (const Single& s : singles) {
      if (*key != s.key) {
        continue;
      }
      auto field = fields.Next();
      auto value = field ? detail::ToU64(*field) : std::nullopt;
      if (!value) {
        return ParseError(std::string(kPath), std::string(s.key) + ": expected a number, got \"" +
                                                  std::string(field.value_or("")) + "\"");
      }
      *s.out = *value;
      seen |= s.bit;
    }
  }
  if (seen != kAll) {
    const char* names[] = {"cpu", "intr", "ctxt", "btime", "processes", "procs_running",
                           "procs_blocked"};
    for (unsigned i = 0; i < 7; ++i) {
      if ((seen & (1u << i)) == 0) {
        return ParseError(std::string(kPath),
                          std::string("missing line \"") + names[i] + "\" (truncated file?)");
      }
    }
  }
  return stat;
}

Result<Stat> ReadStat(const ProcFs& fs, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto(kPath, buffer), buffer, ParseStat);
}

}  // namespace vitals::procfs
