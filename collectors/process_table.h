#pragma once
// ProcessTable: one pass over /proc/<pid>/stat shared by the collectors that
// look at every process (host "processes" and the process groups), so a
// scrape lists /proc and reads each process's stat once, not once per
// collector (DESIGN.md section 1: one pass serves both when they are close in
// time).
//
// Sharing rule: a consumer holds a Cursor (the last pass it was given). It
// gets the table's last pass when it has not seen that pass yet, the pass was
// made after the last Expire() and it is at most max_age old; otherwise a new
// pass is made and becomes the last. The scrape calls Expire() when it
// starts, so "processes" makes the pass and "process" takes it a few
// milliseconds later, and no scrape ever sees a pass from before it began.
// No consumer is given a pass older than one it already had, and a consumer
// used alone always reads fresh. The health sampler is a consumer too: it
// takes a scrape's pass when it samples within max_age of it, and a pass it
// makes itself is never seen by a later scrape (Expire()).
//
// Thread contract: Read() may be called from any thread (a mutex guards the
// last pass); a pass is immutable once published and shared by shared_ptr.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "collectors/procfs/pid_stat.h"
#include "collectors/procfs/proc_fs.h"
#include "collectors/procfs/result.h"

namespace vitals::collectors {

// One process as the pass saw it: its stat, or why it could not be read
// (kVanished: exited after the listing; kPermission: hidepid). The error is
// held by pointer: rare, and a pass holds one entry per process.
struct ProcessEntry {
  int pid = 0;
  procfs::PidStat stat;
  std::unique_ptr<procfs::Error> error;
};

struct ProcessPass {
  std::uint64_t generation = 0;
  std::chrono::steady_clock::time_point taken;
  std::vector<ProcessEntry> processes;  // in ascending pid order
};

class ProcessTable {
 public:
  static constexpr std::chrono::milliseconds kDefaultMaxAge{500};

  // The position of one consumer: the generation of the last pass it got.
  struct Cursor {
    std::uint64_t seen = 0;
  };

  explicit ProcessTable(const procfs::ProcFs& proc,
                        std::chrono::milliseconds max_age = kDefaultMaxAge)
      : proc_(proc), max_age_(max_age) {}

  // The shared pass, or a new one made now.
  procfs::Result<std::shared_ptr<const ProcessPass>> Read(Cursor& cursor);

  // For a consumer that reads more per process and wants those reads next
  // to the process's stat (the kernel's structures for it are then hot in
  // the CPU caches): Share() gives the pass it may take, or null; then it
  // fills Begin()'s storage with ReadEntry() as it goes and Publish()es it.
  std::shared_ptr<const ProcessPass> Share(Cursor& cursor);
  std::shared_ptr<ProcessPass> Begin();
  void ReadEntry(int pid, ProcessEntry& entry, std::string& buffer) const;
  void Publish(std::shared_ptr<ProcessPass> pass, Cursor& cursor,
               std::chrono::steady_clock::time_point started);
  // Passes made so far are not shared any more (called when a scrape starts).
  void Expire();

  std::uint64_t passes() const;  // passes made so far (tests, diagnostics)

 private:
  const procfs::ProcFs proc_;  // a copy: cheap (shares the directory fd), and no lifetime ties
  const std::chrono::milliseconds max_age_;

  bool Shareable(const Cursor& cursor, std::chrono::steady_clock::time_point now) const;

  std::mutex read_mutex_;  // serializes Read(); guards buffer_
  std::string buffer_;
  mutable std::mutex mutex_;  // guards everything below
  std::shared_ptr<ProcessPass> last_;
  bool last_expired_ = false;
  std::uint64_t generation_ = 0;
};

}  // namespace vitals::collectors
