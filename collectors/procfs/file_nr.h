#pragma once
// /proc/sys/fs/file-nr: allocated, free and maximum file handles (proc(5)).

#include <cstdint>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct FileNr {
  std::uint64_t allocated = 0;
  std::uint64_t unused = 0;  // always 0 since Linux 2.6
  std::uint64_t maximum = 0;
};

Result<FileNr> ParseFileNr(std::string_view text);
Result<FileNr> ReadFileNr(const ProcFs& fs, std::string& buffer);

}  // namespace vitals::procfs
