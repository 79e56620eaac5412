#pragma once
// /proc/<pid>/io: I/O statistics (proc(5), "/proc/pid/io"). Readable only by
// the owner or with CAP_SYS_PTRACE; EACCES is reported as kPermission.

#include <cstdint>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct PidIo {
  std::uint64_t rchar = 0;
  std::uint64_t wchar = 0;
  std::uint64_t syscr = 0;
  std::uint64_t syscw = 0;
  std::uint64_t read_bytes = 0;
  std::uint64_t write_bytes = 0;
  std::uint64_t cancelled_write_bytes = 0;
};

Result<PidIo> ParsePidIo(std::string_view text);
Result<PidIo> ReadPidIo(const ProcFs& fs, int pid, std::string& buffer);

}  // namespace vitals::procfs
