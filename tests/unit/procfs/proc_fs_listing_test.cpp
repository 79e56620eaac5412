#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "collectors/procfs/proc_fs.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::procfs;
using vitals::testing::OpenProcFs;
using vitals::testing::TempTree;

TEST_CASE("ProcFs listings span many getdents64 batches", "[procfs]") {
  // 3000 entries take about 100 KiB of dirents, far more than one 8 KiB read.
  constexpr int kEntries = 3000;
  TempTree tree;
  for (int i = 1; i <= kEntries; ++i) {
    tree.Write("big/" + std::to_string(i), "");
  }
  tree.Write("big/self", "");
  tree.Write("big/0", "");
  tree.Write("big/12x", "");
  const ProcFs fs = OpenProcFs(tree.path());

  auto ids = fs.NumericEntries("big");
  REQUIRE(ids.ok());
  REQUIRE(ids->size() == static_cast<std::size_t>(kEntries));
  CHECK(std::is_sorted(ids->begin(), ids->end()));
  CHECK(ids->front() == 1);
  CHECK(ids->back() == kEntries);
  CHECK(std::adjacent_find(ids->begin(), ids->end()) == ids->end());

  auto count = fs.CountEntries("big");
  REQUIRE(count.ok());
  CHECK(*count == kEntries + 3);

  SECTION("a regular file is not a directory") {
    auto r = fs.NumericEntries("big/1");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kIo);
    CHECK(r.error().path == "big/1");
  }
}

TEST_CASE("ProcFs lists the real /proc", "[procfs][live]") {
  auto fs = ProcFs::Open("/proc", SystemInfo::FromHost());
  REQUIRE(fs.ok());
  auto pids = fs->Pids();
  REQUIRE(pids.ok());
  CHECK(std::binary_search(pids->begin(), pids->end(), static_cast<int>(::getpid())));
  auto tids = fs->NumericEntries(std::to_string(::getpid()) + "/task");
  REQUIRE(tids.ok());
  CHECK(std::binary_search(tids->begin(), tids->end(), static_cast<int>(::getpid())));
  auto fds = fs->CountEntries("self/fd");
  REQUIRE(fds.ok());
  CHECK(*fds >= 3);  // stdin, stdout, stderr at least
}
