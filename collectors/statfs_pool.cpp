#include "collectors/statfs_pool.h"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <system_error>

namespace vitals::collectors {

using Clock = std::chrono::steady_clock;

struct StatfsPool::Job {
  enum class Phase { kQueued, kRunning, kDone, kGivenUp };
  std::string path;  // NUL-terminated for statfs(2)
  std::string key;
  Phase phase = Phase::kDone;
  Clock::time_point started;
  std::thread::id runner;
  int error = 0;
  struct statfs stats {};
};

// Shared by the pool and its threads: a thread left with a hung call keeps it
// (and its job) alive after the pool is gone.
struct StatfsPool::State {
  explicit State(StatfsFunction fn) : statfs(fn) {}
  const StatfsFunction statfs;
  std::mutex mutex;              // guards everything below, and the jobs' phases and results
  std::condition_variable work;  // a job was queued, or the pool stops
  std::condition_variable done;  // the last job of a run finished
  std::deque<Job*> queue;
  std::map<std::string, int, std::less<>> stuck;  // key -> calls given up on, still out
  std::size_t unfinished = 0;                     // jobs of the run neither done nor given up on
  std::size_t threads = 0;
  bool stopping = false;
};

StatfsPool::StatfsPool(std::size_t workers, std::chrono::milliseconds timeout,
                       StatfsFunction statfs)
    : workers_wanted_(std::max<std::size_t>(workers, 1)),
      timeout_(timeout),
      state_(std::make_shared<State>(statfs)) {
  // Started now, so that the agent's thread count is steady from its start
  // (a later rise means a hung call); Run() starts what the system refused.
  std::lock_guard lock(state_->mutex);
  while (workers_.size() < workers_wanted_) {
    if (!StartWorker().empty()) {
      break;
    }
  }
}

StatfsPool::~StatfsPool() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->work.notify_all();
  for (std::thread& worker : workers_) {
    worker.join();  // idle: Run() returned with none of their jobs running
  }
}

void StatfsPool::Work(std::shared_ptr<State> state) {
  std::unique_lock lock(state->mutex);
  for (;;) {
    state->work.wait(lock, [&] { return state->stopping || !state->queue.empty(); });
    if (state->stopping) {
      break;
    }
    Job* job = state->queue.front();
    state->queue.pop_front();
    job->phase = Job::Phase::kRunning;
    job->started = Clock::now();
    job->runner = std::this_thread::get_id();
    lock.unlock();
    // Only this thread touches the job's path and key while it runs.
    struct statfs stats {};
    const int error = state->statfs(job->path.c_str(), &stats) == 0 ? 0 : errno;
    lock.lock();
    if (job->phase == Job::Phase::kGivenUp) {
      // The pool moved on and replaced this thread, which owns the job now.
      auto it = state->stuck.find(job->key);
      if (--it->second == 0) {
        state->stuck.erase(it);
      }
      delete job;
      break;
    }
    job->stats = stats;
    job->error = error;
    job->phase = Job::Phase::kDone;
    if (--state->unfinished == 0) {
      state->done.notify_one();
    }
  }
  --state->threads;
}

std::string StatfsPool::StartWorker() {
  try {
    workers_.emplace_back(Work, state_);
  } catch (const std::system_error& e) {
    return e.what();
  }
  ++state_->threads;
  return {};
}

void StatfsPool::GiveUp(std::size_t index) {
  Job* job = jobs_[index].release();  // the thread running it deletes it
  job->phase = Job::Phase::kGivenUp;
  ++state_->stuck[job->key];
  --state_->unfinished;
  auto runner = std::find_if(workers_.begin(), workers_.end(),
                             [&](const std::thread& t) { return t.get_id() == job->runner; });
  runner->detach();
  workers_.erase(runner);
  StartWorker();  // if refused, the others serve; Run() retries when none is left
}

std::string StatfsPool::Run(std::span<const Call> calls, std::vector<Result>& results) {
  results.assign(calls.size(), Result{});
  std::unique_lock lock(state_->mutex);
  while (workers_.size() < workers_wanted_) {
    if (std::string error = StartWorker(); !error.empty()) {
      if (workers_.empty()) {
        return "cannot start a thread for statfs(2): " + error;
      }
      break;
    }
  }
  if (jobs_.size() < calls.size()) {
    jobs_.resize(calls.size());
  }
  asked_.clear();
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (state_->stuck.find(calls[i].key) != state_->stuck.end()) {
      results[i].outcome = Outcome::kStuck;
      continue;
    }
    if (!jobs_[i]) {
      jobs_[i] = std::make_unique<Job>();
    }
    Job& job = *jobs_[i];
    job.path.assign(calls[i].path);
    job.key.assign(calls[i].key);
    job.phase = Job::Phase::kQueued;
    state_->queue.push_back(&job);
    asked_.push_back(i);
  }
  state_->unfinished = asked_.size();
  if (asked_.size() >= workers_.size()) {
    state_->work.notify_all();
  } else {
    for (std::size_t i = 0; i < asked_.size(); ++i) {
      state_->work.notify_one();
    }
  }

  while (state_->unfinished > 0) {
    // The earliest moment a call still out may be given up on; a queued job
    // starts later than the running ones, so its moment comes later too.
    Clock::time_point deadline = Clock::now() + timeout_;
    for (std::size_t i : asked_) {
      if (jobs_[i] && jobs_[i]->phase == Job::Phase::kRunning) {
        deadline = std::min(deadline, jobs_[i]->started + timeout_);
      }
    }
    if (state_->done.wait_until(lock, deadline, [&] { return state_->unfinished == 0; })) {
      break;
    }
    const Clock::time_point now = Clock::now();
    for (std::size_t i : asked_) {
      if (jobs_[i] && jobs_[i]->phase == Job::Phase::kRunning &&
          jobs_[i]->started + timeout_ <= now) {
        results[i].outcome = Outcome::kTimedOut;
        GiveUp(i);
      }
    }
    if (workers_.empty() && !StartWorker().empty()) {
      // Every worker was given up on and none can replace them: what is
      // still queued cannot be asked in this run.
      for (std::size_t i : asked_) {
        if (jobs_[i] && jobs_[i]->phase == Job::Phase::kQueued) {
          results[i].outcome = Outcome::kError;
          results[i].error = EAGAIN;
          --state_->unfinished;
        }
      }
      state_->queue.clear();
    }
  }
  for (std::size_t i : asked_) {
    if (jobs_[i] && jobs_[i]->phase == Job::Phase::kDone && results[i].outcome == Outcome::kOk) {
      results[i].error = jobs_[i]->error;
      results[i].outcome = jobs_[i]->error == 0 ? Outcome::kOk : Outcome::kError;
      results[i].stats = jobs_[i]->stats;
    }
  }
  return {};
}

std::size_t StatfsPool::stuck() const {
  std::lock_guard lock(state_->mutex);
  return state_->stuck.size();
}

std::size_t StatfsPool::threads() const {
  std::lock_guard lock(state_->mutex);
  return state_->threads;
}

}  // namespace vitals::collectors
