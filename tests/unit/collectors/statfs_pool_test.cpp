// StatfsPool with a stand-in for statfs(2): paths under /hang block until the
// test opens the gate, paths under /missing fail with ENOENT, and any other
// answers with f_blocks = the path's length.

#include "collectors/statfs_pool.h"

#include <catch2/catch.hpp>
#include <cerrno>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

using vitals::collectors::StatfsPool;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  int blocked = 0;   // calls waiting at the gate now
  int returned = 0;  // calls that waited and returned
};
Gate gate;

int FakeStatfs(const char* path, struct statfs* out) {
  std::string_view p(path);
  if (p.rfind("/hang", 0) == 0) {
    std::unique_lock lock(gate.mutex);
    ++gate.blocked;
    gate.changed.notify_all();
    gate.changed.wait(lock, [] { return gate.open; });
    --gate.blocked;
    ++gate.returned;
    gate.changed.notify_all();
  }
  if (p.rfind("/missing", 0) == 0) {
    errno = ENOENT;
    return -1;
  }
  *out = {};
  out->f_blocks = p.size();
  out->f_bsize = 4096;
  return 0;
}

void CloseGate() {
  std::lock_guard lock(gate.mutex);
  gate.open = false;
  gate.returned = 0;
}

void OpenGate() {
  {
    std::lock_guard lock(gate.mutex);
    gate.open = true;
  }
  gate.changed.notify_all();
}

// Polls `condition` for up to 5 s.
template <class Condition>
bool Eventually(Condition condition) {
  for (auto until = Clock::now() + 5s; Clock::now() < until; std::this_thread::sleep_for(2ms)) {
    if (condition()) {
      return true;
    }
  }
  return condition();
}

using Outcome = StatfsPool::Outcome;

}  // namespace

TEST_CASE("StatfsPool: answers, errors", "[collectors]") {
  CloseGate();
  StatfsPool pool(4, 1000ms, FakeStatfs);
  CHECK(pool.threads() == 4);  // from the start, not from the first scrape
  const StatfsPool::Call calls[] = {{"/a", "/a"}, {"/missing/b", "/b"}, {"/ccc", "/c"}};
  std::vector<StatfsPool::Result> results;
  for (int round = 0; round < 3; ++round) {  // jobs and threads are reused
    REQUIRE(pool.Run(calls, results).empty());
    REQUIRE(results.size() == 3);
    CHECK(results[0].outcome == Outcome::kOk);
    CHECK(results[0].stats.f_blocks == 2);
    CHECK(results[1].outcome == Outcome::kError);
    CHECK(results[1].error == ENOENT);
    CHECK(results[2].stats.f_blocks == 4);
  }
  CHECK(pool.threads() == 4);
  CHECK(pool.stuck() == 0);
  REQUIRE(pool.Run({}, results).empty());
  CHECK(results.empty());
}

TEST_CASE("StatfsPool: a hung call is given up at the timeout and not asked again until it returns",
          "[collectors]") {
  CloseGate();
  StatfsPool pool(2, 200ms, FakeStatfs);
  const StatfsPool::Call calls[] = {{"/a", "/a"}, {"/hang/nfs", "/nfs"}, {"/bb", "/b"}};
  std::vector<StatfsPool::Result> results;

  auto start = Clock::now();
  REQUIRE(pool.Run(calls, results).empty());
  auto first = Clock::now() - start;
  CHECK(first >= 200ms);
  CHECK(first < 2s);
  CHECK(results[0].outcome == Outcome::kOk);
  CHECK(results[1].outcome == Outcome::kTimedOut);
  CHECK(results[2].outcome == Outcome::kOk);
  CHECK(pool.stuck() == 1);
  CHECK(pool.threads() == 3);  // two workers, and the one left with the call

  // The next run answers at once: the stuck key is not asked.
  start = Clock::now();
  REQUIRE(pool.Run(calls, results).empty());
  CHECK(Clock::now() - start < 150ms);
  CHECK(results[1].outcome == Outcome::kStuck);
  CHECK(results[2].stats.f_blocks == 3);
  {
    std::lock_guard lock(gate.mutex);
    CHECK(gate.blocked == 1);  // one call on the hung mount, not one per run
  }

  // The call returns: the key is asked again, and the extra thread is gone.
  OpenGate();
  REQUIRE(Eventually([&] { return pool.stuck() == 0 && pool.threads() == 2; }));
  REQUIRE(pool.Run(calls, results).empty());
  CHECK(results[1].outcome == Outcome::kOk);
  CHECK(results[1].stats.f_blocks == 9);
}

TEST_CASE("StatfsPool: mounts that hang together cost one run, workers are replaced",
          "[collectors]") {
  CloseGate();
  StatfsPool pool(2, 150ms, FakeStatfs);
  const StatfsPool::Call calls[] = {
      {"/hang/1", "/1"}, {"/hang/2", "/2"}, {"/hang/3", "/3"}, {"/ok", "/ok"}};
  std::vector<StatfsPool::Result> results;
  auto start = Clock::now();
  REQUIRE(pool.Run(calls, results).empty());
  auto took = Clock::now() - start;
  // Two workers: two hang, are replaced after 150 ms; the third hangs too.
  CHECK(took >= 300ms);
  CHECK(took < 3s);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(results[i].outcome == Outcome::kTimedOut);
  }
  CHECK(results[3].outcome == Outcome::kOk);
  CHECK(pool.stuck() == 3);
  start = Clock::now();
  REQUIRE(pool.Run(calls, results).empty());
  CHECK(Clock::now() - start < 150ms);
  CHECK(results[0].outcome == Outcome::kStuck);
  OpenGate();
  REQUIRE(Eventually([&] { return pool.stuck() == 0 && pool.threads() == 2; }));
}

TEST_CASE("StatfsPool: destroyed while a call hangs, without waiting for it", "[collectors]") {
  CloseGate();
  auto pool = std::make_unique<StatfsPool>(1, 50ms, FakeStatfs);
  const StatfsPool::Call calls[] = {{"/hang/x", "/x"}};
  std::vector<StatfsPool::Result> results;
  REQUIRE(pool->Run(calls, results).empty());
  CHECK(results[0].outcome == Outcome::kTimedOut);
  // ~StatfsPool joins its idle worker and leaves the hung one alone.
  auto start = Clock::now();
  pool.reset();
  CHECK(Clock::now() - start < 1s);
  // The thread left with the call ends on its own once it returns.
  OpenGate();
  std::unique_lock lock(gate.mutex);
  CHECK(gate.changed.wait_for(lock, 5s, [] { return gate.returned == 1; }));
}
