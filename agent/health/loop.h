#pragma once
// StopLoop: the shutdown of a background loop thread, shared by the health
// Scheduler and the ActionRunner.

#include <condition_variable>
#include <stop_token>
#include <thread>

namespace vitals::health {

// Requests `stop` (the token the work started by the loop watches), then, if
// the loop runs, requests its own stop, wakes it out of its wait on `wake`
// and joins it. Threads the loop started are not waited for: each owner
// waits for its own to finish, with its own grace period.
inline void StopLoop(std::stop_source& stop, std::jthread& loop,
                     std::condition_variable_any& wake) {
  stop.request_stop();
  if (loop.joinable()) {
    loop.request_stop();
    wake.notify_all();
    loop.join();
  }
}

}  // namespace vitals::health
