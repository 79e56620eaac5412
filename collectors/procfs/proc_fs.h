#pragma once
// ProcFs: the /proc tree at --path.procfs (a RootDir, root_dir.h), with the
// constants its numbers are expressed in and the per-process helpers.
// Thread contract: a ProcFs is immutable after Open and may be shared.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/result.h"
#include "collectors/procfs/root_dir.h"

namespace vitals::procfs {

// Constants the kernel's numbers are expressed in; injected so parsers and
// tests never depend on the machine they run on.
struct SystemInfo {
  std::uint64_t page_size = 4096;
  std::uint64_t ticks_per_second = 100;  // USER_HZ, the unit of /proc times

  static SystemInfo FromHost();  // sysconf(_SC_PAGESIZE), sysconf(_SC_CLK_TCK)
};

class ProcFs : public RootDir {
 public:
  static Result<ProcFs> Open(const std::filesystem::path& root, SystemInfo info);

  // Reads "<pid>/<name>"; a missing file means the process exited after it was
  // listed, so kNotFound becomes kVanished.
  Result<std::string_view> ReadPidFile(int pid, std::string_view name, std::string& buffer) const;

  // Process ids: the numeric entries of the root, in ascending order.
  Result<std::vector<int>> Pids() const { return NumericEntries("."); }

  // True when the root is a mounted procfs (not a fixture tree).
  bool is_real() const;
  const SystemInfo& system() const { return info_; }

 private:
  ProcFs(RootDir dir, SystemInfo info) : RootDir(std::move(dir)), info_(info) {}

  SystemInfo info_;
};

}  // namespace vitals::procfs
