#pragma once
// The sysfs tests' temporary tree opened as the root their readers take.

#include <catch2/catch.hpp>

#include "collectors/procfs/root_dir.h"
#include "tests/unit/temp_tree.h"

namespace vitals::testing {

inline procfs::RootDir Open(const TempTree& tree) {
  auto dir = procfs::RootDir::Open(tree.path());
  REQUIRE(dir.ok());
  return *dir;
}

}  // namespace vitals::testing
