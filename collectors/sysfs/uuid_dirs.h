#pragma once
// The folders the kernel names by UUID under /sys/fs/btrfs and
// /sys/fs/bcache, found as procfs finds them (filepath.Glob "<dir>/*-*").

#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

// The entries of `dir` with a '-' in their name, sorted (not "features",
// "register", ...); none when `dir` is absent (the driver is not loaded).
inline procfs::Result<std::vector<std::string>> UuidEntries(const procfs::RootDir& sys,
                                                            std::string_view dir) {
  auto names = sys.Entries(dir);
  if (!names) {
    if (names.error().code == procfs::Errc::kNotFound) {
      return std::vector<std::string>();
    }
    return names.error();
  }
  std::erase_if(*names, [](const std::string& name) { return name.find('-') == std::string::npos; });
  return names;
}

}  // namespace vitals::sysfs
