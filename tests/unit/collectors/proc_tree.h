#pragma once
// ProcTree: the setup of the host collector tests. A TempTree opened as the
// ProcFs the collectors read (SystemInfo{4096, 100}, as the golden file), with
// the CollectorContext they take (sysfs is the same tree). Files may be
// written before or after construction: ProcFs reads them at Collect().
// Also brings in the helpers of families.h.

#include <catch2/catch.hpp>

#include <filesystem>
#include <utility>

#include "collectors/collector.h"
#include "collectors/procfs/proc_fs.h"
#include "tests/unit/collectors/families.h"
#include "tests/unit/temp_tree.h"

namespace vitals::testing {

class ProcTree : public TempTree {
 public:
  ProcTree() : fs_(Open(path())) {}

  const procfs::ProcFs& fs() const { return fs_; }
  collectors::CollectorContext context() const { return {fs_, path()}; }

 private:
  static procfs::ProcFs Open(const std::filesystem::path& root) {
    auto fs = procfs::ProcFs::Open(root, procfs::SystemInfo{4096, 100});
    REQUIRE(fs.ok());
    return std::move(fs).value();
  }

  procfs::ProcFs fs_;
};

}  // namespace vitals::testing
