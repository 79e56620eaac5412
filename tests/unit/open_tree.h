#pragma once
// A test's temporary tree (temp_tree.h) opened as the readers take it: a
// RootDir (sysfs, rootfs) or a ProcFs, with SystemInfo{4096, 100} (as the
// golden file) unless a test says otherwise.

#include <catch2/catch.hpp>

#include <filesystem>
#include <utility>

#include "collectors/procfs/proc_fs.h"
#include "collectors/procfs/root_dir.h"

namespace vitals::testing {

inline procfs::RootDir OpenRootDir(const std::filesystem::path& root) {
  auto dir = procfs::RootDir::Open(root);
  REQUIRE(dir.ok());
  return std::move(dir).value();
}

inline procfs::ProcFs OpenProcFs(const std::filesystem::path& root,
                                 procfs::SystemInfo info = {4096, 100}) {
  auto fs = procfs::ProcFs::Open(root, info);
  REQUIRE(fs.ok());
  return std::move(fs).value();
}

}  // namespace vitals::testing
