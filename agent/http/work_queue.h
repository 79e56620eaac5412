#pragma once
// A fixed set of threads running jobs in the order they were submitted. The
// server has two: handlers (routes on complete requests) and password checks
// (bcrypt), so that a flood of wrong passwords can never hold every handler.
// Thread contract: Submit() from any thread; the destructor drops the jobs
// that have not started and waits for the running ones.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vitals::http {

class WorkQueue {
 public:
  // `max_pending`: jobs waiting for a thread beyond which Submit() refuses.
  WorkQueue(std::string name, int threads, std::size_t max_pending);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // False (and `job` not run) when max_pending jobs are already waiting.
  bool Submit(std::function<void()> job);

 private:
  void Run();

  std::size_t max_pending_;
  std::mutex mutex_;  // guards jobs_ and stopping_
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vitals::http
