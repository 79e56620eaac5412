#pragma once
// ProcFs: a /proc tree opened at a configurable root (--path.procfs), so the
// same readers run on the host's /proc, a container's bind mount of it, or a
// fixture tree in tests. Files are opened relative to a directory fd.
// Thread contract: a ProcFs is immutable after Open and may be shared.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/result.h"

namespace vitals::procfs {

// Constants the kernel's numbers are expressed in; injected so parsers and
// tests never depend on the machine they run on.
struct SystemInfo {
  std::uint64_t page_size = 4096;
  std::uint64_t ticks_per_second = 100;  // USER_HZ, the unit of /proc times

  static SystemInfo FromHost();  // sysconf(_SC_PAGESIZE), sysconf(_SC_CLK_TCK)
};

class ProcFs {
 public:
  // Largest file Read() accepts. /proc/stat on a big machine is ~100 KiB;
  // <pid>/cmdline can reach 6 MiB (execve's limit on arguments plus
  // environment). An oversized file costs this much only during the read.
  static constexpr std::size_t kMaxFileSize = 16u << 20;
  // Capacity a reused read buffer may keep between reads. Larger than any
  // file vitals reads on an ordinary machine; a bigger one (a long cmdline,
  // a hostile file) gets a buffer that is given back, not kept for good.
  static constexpr std::size_t kKeptBufferSize = 256u << 10;

  // Frees `buffer` if a read grew it past kKeptBufferSize. ReadInto calls it
  // before reading; the Read<File> functions also after parsing, when their
  // result does not view the text.
  static void ReleaseLargeBuffer(std::string& buffer);

  static Result<ProcFs> Open(const std::filesystem::path& root, SystemInfo info);

  // Reads a whole file, e.g. "meminfo" or "1234/stat", into `buffer` (storage
  // reused across calls to avoid allocation and zero-filling, see
  // kKeptBufferSize) and returns a view of the text: the buffer's size is
  // its storage, not the file's length.
  Result<std::string_view> ReadInto(std::string_view relative_path, std::string& buffer) const;
  Result<std::string> Read(std::string_view relative_path) const;

  // Reads "<pid>/<name>"; a missing file means the process exited after it was
  // listed, so kNotFound becomes kVanished.
  Result<std::string_view> ReadPidFile(int pid, std::string_view name, std::string& buffer) const;

  // Numeric entries of the root (process ids) or of a sub-directory such as
  // "1234/task" (thread ids), in ascending order.
  Result<std::vector<int>> Pids() const;
  Result<std::vector<int>> NumericEntries(std::string_view relative_dir) const;

  // Number of entries in a directory other than . and .. (e.g. "1234/fd").
  Result<std::uint64_t> CountEntries(std::string_view relative_dir) const;

  // st_size of a directory; on Linux >= 6.2 /proc/<pid>/fd reports the fd count.
  Result<std::uint64_t> DirectorySize(std::string_view relative_dir) const;

  // True when the root is a mounted procfs (not a fixture tree).
  bool is_real() const { return is_real_; }
  const SystemInfo& system() const { return info_; }
  const std::filesystem::path& root() const { return root_; }

 private:
  ProcFs(std::filesystem::path root, std::shared_ptr<const int> dir_fd, SystemInfo info,
         bool is_real)
      : root_(std::move(root)), dir_fd_(std::move(dir_fd)), info_(info), is_real_(is_real) {}

  Error ErrnoError(int err, std::string_view relative_path) const;

  std::filesystem::path root_;
  std::shared_ptr<const int> dir_fd_;  // closed when the last copy goes
  SystemInfo info_;
  bool is_real_ = false;
};

// ParseRead (result.h) for a parser whose result does not view the text:
// `buffer`, if a big file grew it, is given back once parsed.
template <class Parse>
auto ParseReadAndRelease(const Result<std::string_view>& text, std::string& buffer, Parse parse)
    -> decltype(parse(*text)) {
  auto out = ParseRead(text, parse);
  ProcFs::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::procfs
