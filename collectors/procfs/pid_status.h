#pragma once
// /proc/<pid>/status: process status in human-readable form (proc(5),
// "/proc/pid/status"). Fields absent for kernel threads (Vm*) stay nullopt.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct PidStatus {
  std::string name;  // unescaped: the kernel writes '\n' and '\\' as "\\n" and "\\\\"
  char state = '?';
  int tgid = 0;
  int ppid = 0;
  std::array<std::uint32_t, 4> uids{};  // real, effective, saved, filesystem
  std::array<std::uint32_t, 4> gids{};
  std::optional<std::uint64_t> vm_size_bytes;
  std::optional<std::uint64_t> vm_rss_bytes;
  std::optional<std::uint64_t> vm_swap_bytes;
  std::optional<std::uint64_t> rss_anon_bytes;
  std::optional<std::uint64_t> rss_file_bytes;
  std::optional<std::uint64_t> rss_shmem_bytes;
  std::uint64_t threads = 0;
  std::uint64_t voluntary_ctxt_switches = 0;
  std::uint64_t nonvoluntary_ctxt_switches = 0;
};

Result<PidStatus> ParsePidStatus(std::string_view text);
Result<PidStatus> ReadPidStatus(const ProcFs& fs, int pid, std::string& buffer);

}  // namespace vitals::procfs
