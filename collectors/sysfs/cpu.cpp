#include "collectors/sysfs/cpu.h"

#include <optional>

#include "collectors/procfs/parse_util.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kCpuDir = "devices/system/cpu";

// A file holding one unsigned number; nullopt when it does not exist (a CPU
// without topology, a kernel without thermal_throttle: node_exporter skips
// them). Anything else that fails is an error, not a skip.
procfs::Result<std::optional<std::uint64_t>> ReadNumber(const procfs::RootDir& sys,
                                                        const std::string& path,
                                                        std::string& buffer) {
  auto text = sys.ReadInto(path, buffer);
  if (!text) {
    if (text.error().code == procfs::Errc::kNotFound) {
      return std::optional<std::uint64_t>();
    }
    return text.error();
  }
  auto value = procfs::detail::ToU64(procfs::detail::TrimSpace(*text));
  if (!value) {
    return procfs::ParseError(path, "expected a number, got \"" +
                                        std::string(procfs::detail::TrimSpace(*text)) + "\"");
  }
  return std::optional<std::uint64_t>(*value);
}

}  // namespace

procfs::Result<std::vector<unsigned>> ParseCpuList(std::string_view path, std::string_view text) {
  std::vector<unsigned> out;
  text = procfs::detail::TrimSpace(text);
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    if (item.empty()) {
      continue;
    }
    std::size_t dash = item.find('-');
    auto first = procfs::detail::FromChars<unsigned>(item.substr(0, dash));
    auto last = dash == std::string_view::npos
                    ? first
                    : procfs::detail::FromChars<unsigned>(item.substr(dash + 1));
    if (!first || !last || *last < *first || *last - *first > 65535) {
      return procfs::ParseError(std::string(path), "expected a CPU list like \"0-3,7\", got \"" +
                                                       std::string(item) + "\"");
    }
    for (unsigned cpu = *first; cpu <= *last; ++cpu) {
      out.push_back(cpu);
    }
  }
  return out;
}

procfs::Result<std::vector<unsigned>> ReadIsolatedCpus(const procfs::RootDir& sys,
                                                       std::string& buffer) {
  constexpr std::string_view kPath = "devices/system/cpu/isolated";
  return procfs::ParseReadAndRelease(sys.ReadInto(kPath, buffer), buffer, [kPath](std::string_view text) {
    return ParseCpuList(kPath, text);
  });
}

procfs::Result<CpuThrottles> ReadCpuThrottles(const procfs::RootDir& sys, std::string& buffer) {
  CpuThrottles out;
  auto entries = sys.Entries(kCpuDir);
  if (!entries) {
    if (entries.error().code == procfs::Errc::kNotFound) {
      return out;
    }
    return entries.error();
  }
  std::string dir;
  for (const std::string& entry : *entries) {
    // cpu[0-9]*
    if (entry.size() < 4 || entry.compare(0, 3, "cpu") != 0 || entry[3] < '0' || entry[3] > '9') {
      continue;
    }
    dir = std::string(kCpuDir) + "/" + entry + "/";
    auto package = ReadNumber(sys, dir + "topology/physical_package_id", buffer);
    if (!package) {
      return package.error();
    }
    auto core = ReadNumber(sys, dir + "topology/core_id", buffer);
    if (!core) {
      return core.error();
    }
    if (!*package || !*core) {
      continue;
    }
    auto key = std::make_pair(**package, **core);
    if (!out.core.contains(key)) {
      auto count = ReadNumber(sys, dir + "thermal_throttle/core_throttle_count", buffer);
      if (!count) {
        return count.error();
      }
      if (*count) {
        out.core[key] = **count;
      }
    }
    if (!out.package.contains(**package)) {
      auto count = ReadNumber(sys, dir + "thermal_throttle/package_throttle_count", buffer);
      if (!count) {
        return count.error();
      }
      if (*count) {
        out.package[**package] = **count;
      }
    }
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
