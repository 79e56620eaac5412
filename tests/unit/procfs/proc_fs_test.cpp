#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "collectors/procfs/pid_fd.h"
#include "collectors/procfs/proc_fs.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::procfs;
using vitals::testing::OpenProcFs;
using vitals::testing::TempTree;

namespace {

constexpr SystemInfo kInfo{4096, 100};

// Runs `body` in a child process as the unprivileged user "nobody" (65534),
// because root bypasses file permissions; returns the child's exit status.
template <class F>
int RunAsNobody(F body) {
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
      ::_exit(3);
    }
    ::_exit(body());
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("ProcFs on a temporary tree", "[procfs]") {
  TempTree tree;
  tree.Write("loadavg", "0.40 0.11 0.04 1/85 1234\n");
  tree.Write("empty", "");
  tree.Write("sys/kernel/pid_max", "32768\n");
  tree.Write("10/stat", "10 (a) S 1\n");
  tree.Write("2/stat", "2 (b) S 1\n");
  tree.Write("300/stat", "300 (c) S 1\n");
  tree.Mkdir("self");
  tree.Mkdir("abc");
  tree.Mkdir("0");
  tree.Mkdir("12a");
  tree.Mkdir("-5");
  tree.Mkdir("99999999999");  // past INT_MAX: not a pid
  tree.Mkdir("10/task/10");
  tree.Mkdir("10/task/11");
  tree.Mkdir("10/fd");
  for (int fd = 0; fd < 5; ++fd) {
    tree.Write("10/fd/" + std::to_string(fd), "");
  }
  ProcFs fs = OpenProcFs(tree.path());

  SECTION("is_real() is false on a plain directory") {
    CHECK_FALSE(fs.is_real());
    CHECK(fs.root() == tree.path());
    CHECK(fs.system().page_size == 4096);
    CHECK(fs.system().ticks_per_second == 100);
  }
  SECTION("Read returns the whole file; nested paths work") {
    auto r = fs.Read("loadavg");
    REQUIRE(r.ok());
    CHECK(*r == "0.40 0.11 0.04 1/85 1234\n");
    auto nested = fs.Read("sys/kernel/pid_max");
    REQUIRE(nested.ok());
    CHECK(*nested == "32768\n");
    auto empty = fs.Read("empty");
    REQUIRE(empty.ok());
    CHECK(empty->empty());
  }
  SECTION("ReadInto reuses the caller's buffer and returns a view of it") {
    std::string buffer = "stale content that is longer than the file";
    auto r = fs.ReadInto("sys/kernel/pid_max", buffer);
    REQUIRE(r.ok());
    CHECK(*r == "32768\n");
    CHECK(r->data() == buffer.data());
    const std::size_t storage = buffer.size();  // kept, not shrunk to the text
    CHECK(storage >= 8192);
    auto again = fs.ReadInto("sys/kernel/pid_max", buffer);
    REQUIRE(again.ok());
    CHECK(*again == "32768\n");
    CHECK(buffer.size() == storage);
  }
  SECTION("a missing file is kNotFound and names the relative path") {
    auto r = fs.Read("meminfo");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kNotFound);
    CHECK(r.error().path == "meminfo");
    CHECK_THAT(r.error().ToString(), Catch::StartsWith("meminfo: not found"));
  }
  SECTION("reading a directory is an i/o error") {
    auto r = fs.Read("self");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kIo);
  }
  SECTION("ReadPidFile of a missing pid is kVanished, not kNotFound") {
    std::string buffer;
    auto r = fs.ReadPidFile(4242, "stat", buffer);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kVanished);
    CHECK(r.error().path == "4242/stat");
    auto ok = fs.ReadPidFile(10, "stat", buffer);
    REQUIRE(ok.ok());
    CHECK(*ok == "10 (a) S 1\n");
  }
  SECTION("NumericEntries are sorted and skip non-numeric, zero and out-of-range names") {
    auto pids = fs.Pids();
    REQUIRE(pids.ok());
    CHECK(*pids == std::vector<int>{2, 10, 300});
    auto tids = fs.NumericEntries("10/task");
    REQUIRE(tids.ok());
    CHECK(*tids == std::vector<int>{10, 11});
    auto missing = fs.NumericEntries("77/task");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == Errc::kNotFound);
    CHECK(missing.error().path == "77/task");
  }
  SECTION("CountEntries leaves out . and ..") {
    auto n = fs.CountEntries("10/fd");
    REQUIRE(n.ok());
    CHECK(*n == 5);
    tree.Mkdir("empty_dir");
    auto zero = fs.CountEntries("empty_dir");
    REQUIRE(zero.ok());
    CHECK(*zero == 0);
    auto missing = fs.CountEntries("77/fd");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == Errc::kNotFound);
  }
  SECTION("DirectorySize is the directory's st_size") {
    struct stat st {};
    REQUIRE(::stat((tree.path() / "10/fd").c_str(), &st) == 0);
    auto size = fs.DirectorySize("10/fd");
    REQUIRE(size.ok());
    CHECK(*size == static_cast<std::uint64_t>(st.st_size));
    REQUIRE_FALSE(fs.DirectorySize("77/fd").ok());
  }
  SECTION("a file over kMaxFileSize is kIo; one of exactly kMaxFileSize is read") {
    tree.Write("exact", std::string(ProcFs::kMaxFileSize, 'x'));
    auto exact = fs.Read("exact");
    REQUIRE(exact.ok());
    CHECK(exact->size() == ProcFs::kMaxFileSize);
    tree.Write("huge", std::string(ProcFs::kMaxFileSize + 1, 'x'));
    std::string buffer;
    auto r = fs.ReadInto("huge", buffer);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kIo);
    CHECK(r.error().path == "huge");
    CHECK_THAT(r.error().detail, Catch::Contains("larger than"));
    CHECK(buffer.empty());
  }
  SECTION("permission denied is kPermission") {
    // Root bypasses file modes, so as root the read runs in a child that
    // drops to nobody; the tree must then be searchable by others.
    tree.Write("secret", "x\n");
    std::filesystem::permissions(tree.path() / "secret", std::filesystem::perms::none);
    std::filesystem::permissions(tree.path(), std::filesystem::perms::owner_all |
                                                  std::filesystem::perms::others_exec |
                                                  std::filesystem::perms::group_exec);
    auto check = [&fs]() -> int {
      auto r = fs.Read("secret");
      if (r.ok()) {
        return 10;
      }
      return r.error().code == Errc::kPermission && r.error().path == "secret" ? 0 : 11;
    };
    int status = ::geteuid() == 0 ? RunAsNobody(check) : check();
    CHECK(status == 0);
  }
}

TEST_CASE("ProcFs::Open", "[procfs]") {
  SECTION("a missing root is kNotFound naming it") {
    auto r = ProcFs::Open("/nonexistent/vitals-proc", kInfo);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kNotFound);
    CHECK(r.error().path == "/nonexistent/vitals-proc");
  }
  SECTION("a root that is a file is an error") {
    TempTree tree;
    tree.Write("file", "x");
    auto r = ProcFs::Open(tree.path() / "file", kInfo);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kIo);
  }
  SECTION("is_real() is true on /proc") {
    auto r = ProcFs::Open("/proc", SystemInfo::FromHost());
    REQUIRE(r.ok());
    CHECK(r->is_real());
  }
  SECTION("copies share the directory fd and outlive the original") {
    TempTree tree;
    tree.Write("loadavg", "1\n");
    std::optional<ProcFs> copy;
    {
      ProcFs fs = OpenProcFs(tree.path());
      copy = fs;
    }
    auto r = copy->Read("loadavg");
    REQUIRE(r.ok());
    CHECK(*r == "1\n");
  }
}

TEST_CASE("FdCounter", "[procfs]") {
  SECTION("on the real /proc it counts our own fds") {
    auto fs = ProcFs::Open("/proc", SystemInfo::FromHost());
    REQUIRE(fs.ok());
    FdCounter counter(*fs);
    CHECK(counter.uses_stat());  // this machine runs Linux >= 6.2
    // Listing /proc/self/fd opens one fd of its own while it lists, so the
    // two figures may differ by that one.
    std::uint64_t listed = 0;
    DIR* dir = ::opendir("/proc/self/fd");
    REQUIRE(dir != nullptr);
    while (const dirent* entry = ::readdir(dir)) {
      listed += entry->d_name[0] != '.' ? 1 : 0;
    }
    ::closedir(dir);
    auto by_pid = counter.Count(static_cast<int>(::getpid()));
    REQUIRE(by_pid.ok());
    auto by_self = counter.CountAt("self/fd");
    REQUIRE(by_self.ok());
    CHECK(*by_pid + 1 >= listed);
    CHECK(*by_pid <= listed + 1);
    CHECK(*by_self == *by_pid);
  }
  SECTION("the count follows fds we open") {
    auto fs = ProcFs::Open("/proc", SystemInfo::FromHost());
    REQUIRE(fs.ok());
    FdCounter counter(*fs);
    auto before = counter.CountAt("self/fd");
    REQUIRE(before.ok());
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    auto after = counter.CountAt("self/fd");
    ::close(fds[0]);
    ::close(fds[1]);
    REQUIRE(after.ok());
    CHECK(*after == *before + 2);
  }
  SECTION("a pid that exited is kVanished") {
    auto fs = ProcFs::Open("/proc", SystemInfo::FromHost());
    REQUIRE(fs.ok());
    FdCounter counter(*fs);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);  // reaped: its /proc entry is gone
    auto r = counter.Count(child);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kVanished);
  }
  SECTION("on a fixture tree it lists the directory") {
    TempTree tree;
    for (int fd = 0; fd < 3; ++fd) {
      tree.Write("55/fd/" + std::to_string(fd), "");
    }
    ProcFs fs = OpenProcFs(tree.path());
    FdCounter counter(fs);
    CHECK_FALSE(counter.uses_stat());
    auto r = counter.Count(55);
    REQUIRE(r.ok());
    CHECK(*r == 3);
    auto gone = counter.Count(56);
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().code == Errc::kVanished);
    CHECK(gone.error().path == "56/fd");
  }
}

TEST_CASE("ProcFs refuses what is not a regular file, without blocking", "[procfs]") {
  TempTree tree;
  tree.Write("meminfo", "MemTotal: 1 kB\n");
  REQUIRE(::mkfifo((tree.path() / "stat").c_str(), 0600) == 0);
  REQUIRE(::mkfifo((tree.path() / "task").c_str(), 0600) == 0);
  tree.Mkdir("loadavg");
  tree.Symlink("zero", "/dev/zero");
  ProcFs fs = OpenProcFs(tree.path());
  std::string buffer;

  SECTION("a FIFO: refused at once, the reason says FIFO") {
    // A blocking open() would wait here for a writer that never comes.
    auto r = fs.ReadInto("stat", buffer);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::kIo);
    CHECK(r.error().ToString() == "stat: i/o error: is a FIFO, not a regular file");
  }
  SECTION("a directory where a file is expected") {
    auto r = fs.ReadInto("loadavg", buffer);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().ToString() == "loadavg: i/o error: is a directory, not a regular file");
  }
  SECTION("a device (through a symlink): refused, not read without end") {
    auto r = fs.ReadInto("zero", buffer);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().ToString() == "zero: i/o error: is a character device, not a regular file");
  }
  SECTION("a FIFO where a directory is expected: not a directory, at once") {
    auto ids = fs.NumericEntries("task");
    REQUIRE_FALSE(ids.ok());
    CHECK(ids.error().code == Errc::kIo);
    CHECK(fs.CountEntries("task").ok() == false);
  }
  SECTION("a FIFO as the root itself") {
    auto root = ProcFs::Open(tree.path() / "stat", kInfo);
    REQUIRE_FALSE(root.ok());
  }
  SECTION("a regular file still reads") {
    auto r = fs.ReadInto("meminfo", buffer);
    REQUIRE(r.ok());
    CHECK(*r == "MemTotal: 1 kB\n");
  }
}
