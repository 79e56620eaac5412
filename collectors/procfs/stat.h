#pragma once
// /proc/stat: kernel/system statistics (proc(5), "/proc/stat").

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

// Times of one "cpu" or "cpuN" line, in USER_HZ ticks. Older kernels print
// fewer columns; `columns` says how many are present so that absent modes are
// left out instead of reported as 0.
struct CpuTimes {
  enum Mode { kUser, kNice, kSystem, kIdle, kIowait, kIrq, kSoftirq, kSteal, kGuest, kGuestNice };
  static constexpr int kModes = 10;
  int cpu = -1;  // -1 for the aggregate "cpu" line
  int columns = 0;
  std::array<std::uint64_t, kModes> ticks{};
};

struct Stat {
  CpuTimes total;
  std::vector<CpuTimes> cpus;  // in file order
  std::uint64_t interrupts = 0;        // intr, first column
  std::uint64_t context_switches = 0;  // ctxt
  std::uint64_t boot_time = 0;         // btime, seconds since the epoch
  std::uint64_t forks = 0;             // processes
  std::uint64_t procs_running = 0;
  std::uint64_t procs_blocked = 0;
  // The "softirq" line: the total, then per vector (hi, timer, net_tx,
  // net_rx, block, irq_poll, tasklet, sched, hrtimer, rcu); absent on
  // kernels before 2.6.31.
  static constexpr int kSoftirqVectors = 10;
  bool has_softirq = false;
  std::uint64_t softirq_total = 0;
  std::array<std::uint64_t, kSoftirqVectors> softirq{};
};

Result<Stat> ParseStat(std::string_view text);
Result<Stat> ReadStat(const ProcFs& fs, std::string& buffer);

}  // namespace vitals::procfs
