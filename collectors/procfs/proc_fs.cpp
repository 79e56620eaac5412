#include "collectors/procfs/proc_fs.h"

#include <linux/magic.h>
#include <unistd.h>

namespace vitals::procfs {

SystemInfo SystemInfo::FromHost() {
  SystemInfo info;
  long page = sysconf(_SC_PAGESIZE);
  long ticks = sysconf(_SC_CLK_TCK);
  if (page > 0) {
    info.page_size = static_cast<std::uint64_t>(page);
  }
  if (ticks > 0) {
    info.ticks_per_second = static_cast<std::uint64_t>(ticks);
  }
  return info;
}

Result<ProcFs> ProcFs::Open(const std::filesystem::path& root, SystemInfo info) {
  auto dir = RootDir::Open(root);
  if (!dir) {
    return dir.error();
  }
  return ProcFs(std::move(*dir), info);
}

bool ProcFs::is_real() const { return fs_type() == PROC_SUPER_MAGIC; }

Result<std::string_view> ProcFs::ReadPidFile(int pid, std::string_view name,
                                             std::string& buffer) const {
  std::string path = std::to_string(pid);
  path += '/';
  path += name;
  auto r = ReadInto(path, buffer);
  if (!r && r.error().code == Errc::kNotFound) {
    return Error{Errc::kVanished, path, r.error().detail};
  }
  return r;
}

}  // namespace vitals::procfs
