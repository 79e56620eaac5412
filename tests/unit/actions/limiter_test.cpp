// The action limits of issue 6 as timelines: back-off, burst, recovery.

#include <catch2/catch.hpp>

#include "agent/actions/limiter.h"

using namespace vitals::actions;
using std::chrono::seconds;

namespace {

const Time kT0 = Time(std::chrono::hours(1));

LimitSpec Spec() {
  LimitSpec s;
  s.backoff = seconds(10);
  s.max_backoff = seconds(40);
  s.burst = 3;
  s.interval = seconds(600);
  s.reset_after = seconds(600);
  return s;
}

Limiter::Verdict RunIfAllowed(Limiter& l, Time now) {
  auto d = l.Ask(now);
  if (d.verdict == Limiter::Verdict::kRun) {
    l.Record(now);
  }
  return d.verdict;
}

}  // namespace

TEST_CASE("Limiter: first run at once, then a doubling back-off up to the cap", "[actions]") {
  Limiter l(Spec());
  l.Observe(false, kT0);
  REQUIRE(RunIfAllowed(l, kT0) == Limiter::Verdict::kRun);
  auto d = l.Ask(kT0 + seconds(9));
  REQUIRE(d.verdict == Limiter::Verdict::kWait);
  REQUIRE(d.retry_at == kT0 + seconds(10));
  REQUIRE(RunIfAllowed(l, kT0 + seconds(10)) == Limiter::Verdict::kRun);
  // 2nd run: the wait doubles to 20 s.
  REQUIRE(l.Ask(kT0 + seconds(29)).verdict == Limiter::Verdict::kWait);
  REQUIRE(RunIfAllowed(l, kT0 + seconds(30)) == Limiter::Verdict::kRun);
  REQUIRE(l.consecutive() == 3);
  // 3rd run: 40 s, the cap (not 40 then 80).
  REQUIRE(l.next_allowed() == kT0 + seconds(70));
}

TEST_CASE("Limiter: past the burst, suppressed until the oldest run leaves the window",
          "[actions]") {
  Limiter l(Spec());
  REQUIRE(RunIfAllowed(l, kT0) == Limiter::Verdict::kRun);
  REQUIRE(RunIfAllowed(l, kT0 + seconds(10)) == Limiter::Verdict::kRun);
  REQUIRE(RunIfAllowed(l, kT0 + seconds(30)) == Limiter::Verdict::kRun);
  auto d = l.Ask(kT0 + seconds(70));
  REQUIRE(d.verdict == Limiter::Verdict::kSuppressed);
  REQUIRE(d.retry_at == kT0 + seconds(600));
  REQUIRE(l.RunsInWindow(kT0 + seconds(70)) == 3);
  REQUIRE(l.Ask(kT0 + seconds(599)).verdict == Limiter::Verdict::kSuppressed);
  REQUIRE(RunIfAllowed(l, kT0 + seconds(600)) == Limiter::Verdict::kRun);
  REQUIRE(l.RunsInWindow(kT0 + seconds(600)) == 3);  // runs at 10, 30, 600
}

TEST_CASE("Limiter: a crash loop (healthy for moments) never resets", "[actions]") {
  Limiter l(Spec());
  Time t = kT0;
  int runs = 0, refused = 0;
  // Every restart is Healthy for 2 s, then fails again; 20 cycles fit in the
  // 10 min window.
  for (int i = 0; i < 20; ++i) {
    l.Observe(false, t);
    auto d = l.Ask(t);
    if (d.verdict == Limiter::Verdict::kWait) {  // the restart comes when the back-off ends
      t = d.retry_at;
      d = l.Ask(t);
    }
    if (d.verdict == Limiter::Verdict::kRun) {
      l.Record(t);
      ++runs;
    } else if (d.verdict == Limiter::Verdict::kSuppressed) {
      ++refused;
    }
    t += seconds(2);
    l.Observe(true, t);
    t += seconds(2);
  }
  REQUIRE(t - kT0 < seconds(600));
  REQUIRE(runs == 3);
  REQUIRE(refused > 0);
  REQUIRE(l.resets() == 0);
}

TEST_CASE("Limiter: Healthy for reset_after resets back-off and burst", "[actions]") {
  Limiter l(Spec());
  REQUIRE(RunIfAllowed(l, kT0) == Limiter::Verdict::kRun);
  REQUIRE(RunIfAllowed(l, kT0 + seconds(10)) == Limiter::Verdict::kRun);
  REQUIRE(RunIfAllowed(l, kT0 + seconds(30)) == Limiter::Verdict::kRun);
  SECTION("long enough: the next failure runs at once") {
    l.Observe(true, kT0 + seconds(40));
    l.Observe(false, kT0 + seconds(640));
    REQUIRE(l.resets() == 1);
    REQUIRE(l.consecutive() == 0);
    REQUIRE(RunIfAllowed(l, kT0 + seconds(640)) == Limiter::Verdict::kRun);
    REQUIRE(l.next_allowed() == kT0 + seconds(650));  // back-off from the start again
  }
  SECTION("one second short: nothing resets") {
    l.Observe(true, kT0 + seconds(40));
    l.Observe(false, kT0 + seconds(639));
    REQUIRE(l.resets() == 0);
    REQUIRE(l.consecutive() == 3);
    REQUIRE(l.Ask(kT0 + seconds(639)).verdict == Limiter::Verdict::kRun);  // window slid
  }
  SECTION("Degraded is not Healthy") {
    l.Observe(true, kT0 + seconds(40));
    l.Observe(false, kT0 + seconds(100));  // Degraded at 100
    l.Observe(false, kT0 + seconds(1000));
    REQUIRE(l.resets() == 0);
  }
}

TEST_CASE("Limiter: back-off and burst window saturate instead of wrapping", "[actions]") {
  // Wrapped, the next allowed run and the retry time were in the past: the
  // runner's loop would have asked again at once, forever.
  LimitSpec s = Spec();
  s.backoff = s.max_backoff = Duration::max();
  s.burst = 1;
  s.interval = Duration::max();
  Limiter l(s);
  l.Observe(false, kT0);
  REQUIRE(RunIfAllowed(l, kT0) == Limiter::Verdict::kRun);
  auto d = l.Ask(kT0 + seconds(1));
  CHECK(d.verdict == Limiter::Verdict::kWait);
  CHECK(d.retry_at == Time::max());
  CHECK(l.next_allowed() == Time::max());
}
