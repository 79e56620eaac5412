#include "agent/health/clock.h"

#include <catch2/catch.hpp>

#include "agent/health/check.h"

using namespace vitals::health;
using namespace std::chrono_literals;

TEST_CASE("SaturatingAdd: exact within the range, the range's end past it", "[health]") {
  const SteadyTime t(1h);
  CHECK(SaturatingAdd(t, 15s) == SteadyTime(1h + 15s));
  CHECK(SaturatingAdd(t, -15s) == SteadyTime(1h - 15s));
  CHECK(SaturatingAdd(SteadyTime::max() - 1s, 1h) == SteadyTime::max());
  CHECK(SaturatingAdd(t, Duration::max()) == SteadyTime::max());
  CHECK(SaturatingAdd(SteadyTime::min() + 1s, -1h) == SteadyTime::min());
  CHECK(SaturatingAdd(WallTime(1h), Duration::max()) == WallTime::max());
  CHECK(SaturatingAdd(Duration::max(), Duration::max()) == Duration::max());
  CHECK(SaturatingAdd(Duration::max(), -Duration::max()) == Duration::zero());
  CHECK(CheckSpec::DefaultStaleness(Duration::max() / 2, 1s) == Duration::max());
  CHECK(CheckSpec::DefaultStaleness(10s, 2s) == 22s);
}
