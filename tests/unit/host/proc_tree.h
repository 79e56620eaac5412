#pragma once
// ProcTree: the setup of the host collector tests. A TempTree opened as the
// trees the collectors read: /proc at its root (SystemInfo{4096, 100}, as the
// golden file), sysfs at "sysfs/" and the root filesystem at "rootfs/"; with
// every collector flag at its default unless a test sets it. Files may be
// written before or after construction: collectors read them at Collect().
// Collectors are built by name through the registry, as the agent builds
// them. Also brings in the helpers of families.h.

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "collectors/collector.h"
#include "collectors/collector_registry.h"
#include "collectors/procfs/proc_fs.h"
#include "tests/unit/collectors/families.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

namespace vitals::testing {

class ProcTree : public TempTree {
 public:
  ProcTree()
      : fs_(OpenProcFs(path())),
        sys_(OpenRootDir(MakeDir("sysfs"))),
        root_(OpenRootDir(MakeDir("rootfs"))),
        flags_(collectors::CollectorRegistry::Builtin().DefaultFlags()) {}

  const procfs::ProcFs& fs() const { return fs_; }
  collectors::CollectorContext context() const { return {fs_, sys_, root_, flags_}; }
  // A collector flag (without "--"), validated as the flag parser does.
  void SetFlag(std::string_view name, std::string value) {
    const auto* spec = collectors::CollectorRegistry::Builtin().FindFlag(name);
    REQUIRE(spec != nullptr);
    REQUIRE(collectors::ValidateFlag(*spec, value).empty());
    flags_.Set(name, std::move(value));
  }
  // The built-in collector `name`, built on this tree with the flags set so far.
  std::unique_ptr<collectors::Collector> Make(std::string_view name) const {
    const auto* info = collectors::CollectorRegistry::Builtin().Find(name);
    REQUIRE(info != nullptr);
    return info->factory(context());
  }

 private:
  std::filesystem::path MakeDir(std::string_view relative) const {
    Mkdir(relative);
    return path() / relative;
  }

  procfs::ProcFs fs_;
  procfs::RootDir sys_;
  procfs::RootDir root_;
  collectors::FlagValues flags_;
};

}  // namespace vitals::testing
