#include "collectors/sysfs/clocksource.h"

#include "collectors/procfs/parse_util.h"

namespace vitals::sysfs {

namespace {
constexpr std::string_view kDir = "devices/system/clocksource";
}

procfs::Result<std::vector<ClockSource>> ReadClockSources(const procfs::RootDir& sys,
                                                          std::string& buffer) {
  std::vector<ClockSource> out;
  auto entries = sys.Entries(kDir);
  if (!entries) {
    if (entries.error().code == procfs::Errc::kNotFound) {
      return out;
    }
    return entries.error();
  }
  for (const std::string& entry : *entries) {
    // clocksource[0-9]*
    if (entry.size() <= 11 || entry.compare(0, 11, "clocksource") != 0 || entry[11] < '0' ||
        entry[11] > '9') {
      continue;
    }
    std::string dir = std::string(kDir) + "/" + entry + "/";
    ClockSource source;
    source.name = entry.substr(11);
    auto available = sys.ReadInto(dir + "available_clocksource", buffer);
    if (!available) {
      return available.error();
    }
    procfs::detail::Fields fields(*available);
    while (auto name = fields.Next()) {
      source.available.emplace_back(*name);
    }
    auto current = sys.ReadInto(dir + "current_clocksource", buffer);
    if (!current) {
      return current.error();
    }
    source.current = std::string(procfs::detail::TrimSpace(*current));
    out.push_back(std::move(source));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
