// The NoData rules of collectors/collector.h, which every collector applies
// to the errors of the files it reads.
#include <catch2/catch.hpp>

#include <cerrno>

#include "collectors/collector.h"

using namespace vitals::collectors;
using vitals::procfs::Errc;

TEST_CASE("NoDataIfAbsent and NoDataIfAbsentOrDenied: node_exporter's ErrNoData rule, one place",
          "[collectors]") {
  using vitals::procfs::Error;
  const Error absent{Errc::kNotFound, "net/rpc/nfs", "no such file", ENOENT};
  const Error denied{Errc::kPermission, "class/powercap", "permission denied", EACCES};
  const Error broken{Errc::kParse, "mdstat", "bad line"};
  SECTION("absent: NoData, naming the file and saying why") {
    for (const Error& e : {NoDataIfAbsent(absent, "nfs module not loaded"),
                           NoDataIfAbsentOrDenied(absent, "nfs module not loaded")}) {
      CHECK(e.code == Errc::kNoData);
      CHECK(e.path == "net/rpc/nfs");
      CHECK(e.detail.starts_with("nfs module not loaded: "));
      CHECK(e.detail.find("no such file") != std::string::npos);
    }
  }
  SECTION("not ours to read: an error, NoData only where node_exporter says so") {
    CHECK(NoDataIfAbsent(denied, "x").code == Errc::kPermission);
    CHECK(NoDataIfAbsentOrDenied(denied, "x").code == Errc::kNoData);
  }
  SECTION("anything else is the error itself") {
    for (const Error& e : {NoDataIfAbsent(broken, "x"), NoDataIfAbsentOrDenied(broken, "x")}) {
      CHECK(e.code == Errc::kParse);
      CHECK(e.detail == "bad line");
    }
  }
}
