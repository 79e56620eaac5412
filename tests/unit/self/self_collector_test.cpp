#include "collectors/self/self_collector.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <ctime>

#include "tests/unit/collectors/families.h"

using namespace vitals::collectors;
using vitals::procfs::ProcFs;
using vitals::procfs::SystemInfo;
using vitals::testing::Collect;
using vitals::testing::Sample;

TEST_CASE("SelfCollector reads this process", "[collectors]") {
  auto real = ProcFs::Open("/proc", SystemInfo::FromHost());
  REQUIRE(real.ok());
  SelfCollector self(*real);
  auto c = Collect(self);
  REQUIRE(c.result.ok());
  CHECK(c.families.size() == 7);
  auto rss = Sample(c.families, "process_resident_memory_bytes");
  REQUIRE(rss);
  CHECK(*rss > 0);
  CHECK(std::fmod(*rss, static_cast<double>(real->system().page_size)) == 0);
  auto start = Sample(c.families, "process_start_time_seconds");
  REQUIRE(start);
  // Started within the last hour, and not in the future.
  auto now = static_cast<double>(std::time(nullptr));
  CHECK(*start <= now + 1);
  CHECK(*start > now - 3600);
  CHECK(Sample(c.families, "process_open_fds") > 2);
  CHECK(Sample(c.families, "process_max_fds") > 0);
}
