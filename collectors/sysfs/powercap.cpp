#include "collectors/sysfs/powercap.h"

#include <optional>
#include <tuple>

#include "collectors/procfs/go_text.h"
#include "collectors/sysfs/attribute.h"

namespace vitals::sysfs {

namespace {
constexpr std::string_view kDir = "class/powercap";
}

std::pair<std::int64_t, std::string> RaplIndexAndName(
    std::string_view name, std::map<std::string, std::int64_t, std::less<>>& seen) {
  std::pair<std::int64_t, std::string> out;
  const std::size_t dash = name.find('-');
  std::optional<std::int64_t> index;
  if (dash != std::string_view::npos && name.find('-', dash + 1) == std::string_view::npos) {
    index = procfs::detail::GoParseInt(name.substr(dash + 1), 10);  // strconv.Atoi
  }
  if (index) {
    out = {*index, std::string(name.substr(0, dash))};
  } else {
    auto it = seen.find(name);
    out = {it == seen.end() ? 0 : it->second, std::string(name)};
  }
  // index + 1 wraps past int64 as Go's int does.
  seen[out.second] = static_cast<std::int64_t>(static_cast<std::uint64_t>(out.first) + 1);
  return out;
}

procfs::Result<std::vector<RaplZone>> ReadRaplZones(const procfs::RootDir& sys,
                                                    std::string& buffer) {
  auto entries = sys.Entries(kDir);
  if (!entries) {
    return entries.error();
  }
  std::vector<RaplZone> out;
  std::map<std::string, std::int64_t, std::less<>> seen;
  std::string dir;
  for (const std::string& entry : *entries) {
    dir.assign(kDir).append("/").append(entry);
    auto name = sys.ReadInto(dir + "/name", buffer);
    if (!name) {
      continue;  // not a zone
    }
    RaplZone zone;
    zone.entry = entry;
    std::tie(zone.index, zone.name) = RaplIndexAndName(procfs::detail::GoTrimSpace(*name), seen);
    auto max = ReadUintAttribute(sys, dir + "/max_energy_range_uj", buffer);
    if (!max) {
      return max.error();
    }
    zone.max_microjoules = *max;
    out.push_back(std::move(zone));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

procfs::Result<std::uint64_t> ReadRaplEnergy(const procfs::RootDir& sys, const RaplZone& zone,
                                             std::string& buffer) {
  return ReadUintAttribute(sys, std::string(kDir) + "/" + zone.entry + "/energy_uj", buffer);
}

}  // namespace vitals::sysfs
