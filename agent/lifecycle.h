#pragma once
// Lifecycle: the agent's signals and its bounded stop.
//
// A thread of its own waits for SIGTERM, SIGINT and SIGHUP (which the caller
// blocks in every thread before any starts), so a signal is seen whatever the
// main thread is busy with: a start or a reload blocked on a read. The main
// thread takes the signals as events with Next() and names what it is doing
// with Stage().
//
// The stop is bounded: from SIGTERM or SIGINT, the main thread has `grace` to
// call Stopped(). Past it, the signal thread kills every process below the
// agent, logs "shutdown timed out" with the stage the main thread is in (what
// did not stop), and ends the process with _exit(1). A hung probe thread,
// /proc read or request handler cannot keep the agent alive, and nothing it
// started outlives it.
//
// Thread contract: Next, Stage, Stopped and the destructor are called by one
// thread (main).

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace vitals {

class Lifecycle {
 public:
  enum class Event { kReload, kStop };

  explicit Lifecycle(std::chrono::milliseconds stop_grace);
  ~Lifecycle();  // ends the signal thread (and with it the stop's deadline)
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;

  // Blocks until SIGHUP (kReload; several while busy count once) or SIGTERM /
  // SIGINT (kStop, and from then on always kStop).
  Event Next();
  // What the main thread does now: named in the log if the stop times out.
  void Stage(std::string_view what);
  // The stop is done; the deadline no longer applies.
  void Stopped();

 private:
  void Run();
  [[noreturn]] void Expire();

  const std::chrono::milliseconds stop_grace_;
  std::mutex mutex_;  // guards everything below
  std::condition_variable changed_;
  bool reload_ = false;
  bool stop_ = false;
  bool stopped_ = false;
  bool closing_ = false;  // the destructor ends a thread that saw no stop signal
  std::string stage_ = "starting";
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace vitals
