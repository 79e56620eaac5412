#pragma once
// StatfsPool: statfs(2) of mount points on worker threads, so that a hung
// filesystem (an NFS server gone, a FUSE daemon stopped) never hangs a scrape.
//
// Run() hands each path to one of `workers` threads (started with the pool,
// so that a rise of the agent's thread count means a hung call) and waits for the
// answers. A call still out `timeout` after it started is given up: its
// result is kTimedOut, its key (the mount point) is stuck, and its thread is
// left alone with the call while a new thread takes its place. Until that
// call returns, Run() does not ask about a stuck key again and answers
// kStuck at once: a scrape waits for a hung mount once, not every time, and
// one thread at most waits on it. When the call returns, the key is no
// longer stuck and that thread ends.
//
// Timeline (timeout 5 s, 4 workers; /mnt/nfs hangs from 10:00:10):
//   10:00:00  Run: every call answers within microseconds.
//   10:00:15  Run: the /mnt/nfs call blocks, the others answer; at 10:00:20
//             it is given up (kTimedOut, stuck), a fifth thread starts, and
//             Run returns.
//   10:00:30  Run: /mnt/nfs is kStuck at once; four workers serve the rest.
//   10:01:02  the server is back: the 10:00:15 call returns, /mnt/nfs is no
//             longer stuck, and its thread ends.
//   10:01:15  Run: /mnt/nfs is asked again.
// Mounts that hang together cost one Run at most ceil(hung / workers)
// timeouts, every later Run none.
//
// Thread contract: Run() is called by one thread at a time (the collector's
// scrape); the pool's threads never touch anything but the pool's own state.

#include <sys/vfs.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace vitals::collectors {

class StatfsPool {
 public:
  using StatfsFunction = int (*)(const char* path, struct statfs* out);

  enum class Outcome {
    kOk,        // `stats` holds the answer
    kError,     // the call failed with `error` (an errno)
    kTimedOut,  // no answer within the timeout; the key is stuck from now
    kStuck,     // not asked: an earlier call on this key has not returned
  };
  struct Call {
    std::string_view path;  // what statfs(2) is called on
    std::string_view key;   // what a hang is remembered by (the mount point)
  };
  struct Result {
    Outcome outcome = Outcome::kOk;
    int error = 0;
    struct statfs stats {};
  };

  // `statfs` is what the threads call (a test's stand-in, or ::statfs).
  StatfsPool(std::size_t workers, std::chrono::milliseconds timeout,
             StatfsFunction statfs = ::statfs);
  ~StatfsPool();
  StatfsPool(const StatfsPool&) = delete;
  StatfsPool& operator=(const StatfsPool&) = delete;

  // Asks every call, `results[i]` answering `calls[i]`. Returns an empty
  // string, or why no thread could be started (then nothing was asked).
  std::string Run(std::span<const Call> calls, std::vector<Result>& results);

  std::size_t stuck() const;    // keys with a call still out
  std::size_t threads() const;  // alive: workers and those left with a call

 private:
  struct Job;
  struct State;
  static void Work(std::shared_ptr<State> state);
  // Starts a worker; why not when the system refuses a thread. Under the lock.
  std::string StartWorker();
  // Gives up on the running job `jobs_[index]`. Under the lock.
  void GiveUp(std::size_t index);

  const std::size_t workers_wanted_;
  const std::chrono::milliseconds timeout_;
  std::shared_ptr<State> state_;
  std::vector<std::thread> workers_;        // the threads not left with a call
  std::vector<std::unique_ptr<Job>> jobs_;  // one per call, reused by later runs
  std::vector<std::size_t> asked_;          // indices of the calls of this run
};

}  // namespace vitals::collectors
