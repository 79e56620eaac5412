// RootDir::TypedEntries (each entry with its type as the directory lists it,
// a symlink as a symlink, as Go's os.ReadDir; sorted) and RootDir::ReadOnce
// (one read(2), as Go's procfs reads a sysfs attribute).

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>

#include "collectors/procfs/root_dir.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using vitals::procfs::Errc;
using vitals::procfs::RootDir;
using vitals::testing::OpenRootDir;
using vitals::testing::TempTree;

TEST_CASE("RootDir::TypedEntries", "[procfs]") {
  TempTree tree;
  tree.Write("d/file", "x\n");
  tree.Mkdir("d/dir");
  tree.Symlink("d/link_to_file", "file");
  tree.Symlink("d/link_to_dir", "dir");
  tree.Symlink("d/dangling", "nowhere");
  REQUIRE(::mkfifo((tree.path() / "d/fifo").c_str(), 0600) == 0);
  const RootDir root = OpenRootDir(tree.path());
  auto entries = root.TypedEntries("d");
  REQUIRE(entries.ok());
  using Type = RootDir::EntryType;
  std::vector<std::pair<std::string, Type>> got;
  for (const auto& e : *entries) {
    got.emplace_back(e.name, e.type);
  }
  CHECK(got == std::vector<std::pair<std::string, Type>>{{"dangling", Type::kSymlink},
                                                         {"dir", Type::kDirectory},
                                                         {"fifo", Type::kOther},
                                                         {"file", Type::kRegular},
                                                         {"link_to_dir", Type::kSymlink},
                                                         {"link_to_file", Type::kSymlink}});
  CHECK(root.TypedEntries("missing").error().code == Errc::kNotFound);
  CHECK(root.TypedEntries("d/file").error().code == Errc::kIo);  // ENOTDIR
}

TEST_CASE("RootDir::ReadOnce", "[procfs]") {
  TempTree tree;
  tree.Write("attribute", "45000\n");
  tree.Write("long", std::string(300, 'x'));
  tree.Mkdir("dir");
  REQUIRE(::mkfifo((tree.path() / "fifo").c_str(), 0600) == 0);
  const RootDir root = OpenRootDir(tree.path());
  std::string buffer;
  CHECK(*root.ReadOnce("attribute", 128, buffer) == "45000\n");
  CHECK(*root.ReadOnce("long", 128, buffer) == std::string(128, 'x'));
  CHECK(*root.ReadOnce("attribute", 3, buffer) == "450");
  CHECK(root.ReadOnce("missing", 128, buffer).error().code == Errc::kNotFound);
  CHECK(root.ReadOnce("dir", 128, buffer).error().code == Errc::kIo);
  CHECK(root.ReadOnce("fifo", 128, buffer).error().code == Errc::kIo);  // never blocks
}
