#include "collectors/sysfs/xfs.h"

#include <cerrno>

#include "collectors/procfs/go_text.h"
#include "collectors/procfs/parse_util.h"

namespace vitals::sysfs {

namespace {

// The groups procfs parses, with the counts it accepts.
struct Group {
  std::string_view name;
  std::size_t count, or_count;
};
constexpr Group kGroups[] = {
    {"extent_alloc", 4, 4}, {"abt", 4, 4},     {"blk_map", 7, 7}, {"bmbt", 4, 4},
    {"dir", 4, 4},          {"trans", 3, 3},   {"ig", 7, 7},      {"log", 5, 5},
    {"push_ail", 10, 10},   {"xstrat", 2, 2},  {"rw", 2, 2},      {"attr", 4, 4},
    {"icluster", 3, 3},     {"vnodes", 7, 8},  {"buf", 9, 9},     {"abtb2", 15, 15},
    {"abtc2", 15, 15},      {"bmbt2", 15, 15}, {"ibt2", 15, 15},  {"qm", 8, 9},
    {"debug", 1, 1},        {"xpc", 3, 3},
};

}  // namespace

std::span<const std::uint64_t> XfsStats::Find(std::string_view name) const {
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->name == name) {
      return std::span<const std::uint64_t>(counters).subspan(it->offset, it->count);
    }
  }
  return {};
}

procfs::Result<void> ParseXfsStats(std::string_view path, std::string_view text, XfsStats& out) {
  out.lines.clear();
  out.counters.clear();
  procfs::detail::GoLines lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    procfs::detail::GoFields fields(line);
    XfsStats::Line parsed;
    if (!fields.Next(parsed.name)) {
      continue;
    }
    parsed.offset = out.counters.size();
    const bool wide = parsed.name == "xpc";
    std::string_view field;
    while (fields.Next(field)) {
      std::optional<std::uint64_t> value;
      if (wide) {
        value = procfs::detail::ToU64(field);
      } else if (auto narrow = procfs::detail::FromChars<std::uint32_t>(field)) {
        value = *narrow;
      }
      if (!value) {
        return procfs::ParseError(std::string(path), "line " + std::to_string(lines.number()) +
                                                         " (" + std::string(parsed.name) + "): \"" +
                                                         std::string(field) +
                                                         "\" is not a decimal number of " +
                                                         (wide ? "64" : "32") + " bits");
      }
      out.counters.push_back(*value);
    }
    parsed.count = out.counters.size() - parsed.offset;
    if (parsed.count == 0) {
      continue;  // a name alone
    }
    for (const Group& group : kGroups) {
      if (group.name == parsed.name && parsed.count != group.count &&
          parsed.count != group.or_count) {
        return procfs::ParseError(
            std::string(path),
            "line " + std::to_string(lines.number()) + ": " + std::string(parsed.name) + " has " +
                std::to_string(parsed.count) + " counters, expected " +
                std::to_string(group.count) +
                (group.or_count != group.count ? " or " + std::to_string(group.or_count)
                                               : std::string()));
      }
    }
    out.lines.push_back(parsed);
  }
  if (lines.too_long()) {
    return procfs::ParseError(std::string(path),
                              "line " + std::to_string(lines.number() + 1) + " is longer than " +
                                  std::to_string(procfs::detail::kGoMaxLine) + " bytes");
  }
  return {};
}

procfs::Result<std::vector<std::string>> ListXfsDevices(const procfs::RootDir& sys) {
  std::vector<std::string> out;
  auto names = sys.Entries("fs/xfs");
  if (!names) {
    if (names.error().code == procfs::Errc::kNotFound) {
      return out;
    }
    return names.error();
  }
  // A device is a folder with stats/stats: not "stats" itself (the totals,
  // a file there), nor anything else without one.
  for (const std::string& name : *names) {
    auto entries = sys.Entries("fs/xfs/" + name + "/stats");
    if (!entries) {
      const auto& err = entries.error();
      if (err.code == procfs::Errc::kNotFound || err.sys_errno == ENOTDIR) {
        continue;
      }
      return err;
    }
    for (const std::string& entry : *entries) {
      if (entry == "stats") {
        out.push_back(name);
        break;
      }
    }
  }
  return out;
}

}  // namespace vitals::sysfs
