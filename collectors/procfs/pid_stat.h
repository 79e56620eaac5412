#pragma once
// /proc/<pid>/stat: process status as scanf(3) would read it (proc(5),
// "/proc/pid/stat"). `comm` is the text between the first '(' and the LAST ')':
// a process may name itself "a) R 1 (b" or put spaces and newlines in its name.

#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct PidStat {
  int pid = 0;
  std::string comm;
  char state = '?';
  int ppid = 0;
  int pgrp = 0;
  int session = 0;
  std::uint64_t minflt = 0;
  std::uint64_t majflt = 0;
  std::uint64_t utime = 0;  // ticks
  std::uint64_t stime = 0;  // ticks
  std::int64_t priority = 0;
  std::int64_t nice = 0;
  std::uint64_t num_threads = 0;
  std::uint64_t starttime = 0;  // ticks after boot
  std::uint64_t vsize = 0;      // bytes
  std::uint64_t rss = 0;        // pages
  std::uint64_t rsslim = 0;     // bytes

  double CpuSeconds(const SystemInfo& info) const {
    return static_cast<double>(utime + stime) / static_cast<double>(info.ticks_per_second);
  }
  std::uint64_t RssBytes(const SystemInfo& info) const { return rss * info.page_size; }
};

Result<PidStat> ParsePidStat(std::string_view text);
Result<PidStat> ReadPidStat(const ProcFs& fs, int pid, std::string& buffer);
// `path` like "self/stat" or "1234/task/1240/stat".
Result<PidStat> ReadPidStatAt(const ProcFs& fs, std::string_view path, std::string& buffer);

}  // namespace vitals::procfs
