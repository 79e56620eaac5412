#include "collectors/procfs/pid_fd.h"

#include <string>

namespace vitals::procfs {

FdCounter::FdCounter(const ProcFs& fs) : fs_(&fs) {
  if (!fs.is_real()) {
    return;
  }
  // Our own process always has fds open, so a size of 0 means the kernel
  // predates 6.2 and does not report the count.
  auto size = fs.DirectorySize("self/fd");
  uses_stat_ = size.ok() && *size > 0;
}

Result<std::uint64_t> FdCounter::CountAt(std::string_view fd_dir) const {
  auto r = uses_stat_ ? fs_->DirectorySize(fd_dir) : fs_->CountEntries(fd_dir);
  if (!r && r.error().code == Errc::kNotFound) {
    return Error{Errc::kVanished, std::string(fd_dir), r.error().detail};
  }
  return r;
}

Result<std::uint64_t> FdCounter::Count(int pid) const {
  return CountAt(std::to_string(pid) + "/fd");
}

}  // namespace vitals::procfs
