#pragma once
// RootDir: a directory tree opened at a configurable root (--path.procfs,
// --path.sysfs, --path.rootfs), read relative to the root's directory fd so
// the same readers run on the host's trees, a container's bind mounts of
// them, or fixture trees in tests. Shared by the procfs and sysfs parsers.
//
// Nothing read through it can block or grow without bound: every open is
// non-blocking, only regular files are read (a FIFO where the kernel has a
// file would block forever, a device could stream without end), directories
// are opened with O_DIRECTORY, and a file past kMaxFileSize is an error.
// Thread contract: a RootDir is immutable after Open and may be shared; the
// caller's buffer is the only state of a read.

#include <time.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/result.h"

namespace vitals::procfs {

class RootDir {
 public:
  // Largest file ReadInto() accepts. /proc/stat on a big machine is ~100 KiB;
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

  static Result<RootDir> Open(const std::filesystem::path& root);

  // Reads a whole file, e.g. "meminfo" or "1234/stat", into `buffer` (storage
  // reused across calls to avoid allocation and zero-filling, see
  // kKeptBufferSize) and returns a view of the text: the buffer's size is
  // its storage, not the file's length. With `mtime`, also the file's
  // modification time, from the descriptor once read (so it belongs to the
  // text returned even when the file is replaced meanwhile).
  Result<std::string_view> ReadInto(std::string_view relative_path, std::string& buffer,
                                    struct timespec* mtime = nullptr) const;
  Result<std::string> Read(std::string_view relative_path) const;
  // What one read(2) of at most `size` bytes returns from the start of a
  // regular file: how Go's procfs and node_exporter read a sysfs attribute
  // (a driver answers in one read), one system call fewer than ReadInto.
  Result<std::string_view> ReadOnce(std::string_view relative_path, std::size_t size,
                                    std::string& buffer) const;

  // Numeric entries of a directory (process ids in the root, thread ids in
  // "1234/task"), in ascending order.
  Result<std::vector<int>> NumericEntries(std::string_view relative_dir) const;
  // Names of the entries of a directory other than . and .., sorted (as Go's
  // filepath.Glob returns them), e.g. "devices/system/cpu".
  Result<std::vector<std::string>> Entries(std::string_view relative_dir) const;

  // The directory `relative_dir` as a tree of its own (e.g. a device's
  // directory in a class listing, whose files are then opened relative to
  // it). kIo with sys_errno ENOTDIR when it is not a directory.
  Result<RootDir> OpenSubdir(std::string_view relative_dir) const;

  // An entry of a directory and its type as the directory lists it: a
  // symlink is kSymlink whatever it points to, as Go's os.ReadDir reports it
  // (kDirectory is Go's IsDir(); sysfs collectors read the regular files of
  // a device's directory and skip its symlinks and subdirectories, as
  // node_exporter's do).
  enum class EntryType : std::uint8_t { kRegular, kDirectory, kSymlink, kOther };
  struct Entry {
    std::string name;
    EntryType type;
  };
  // Entries() with each entry's type, sorted by name.
  Result<std::vector<Entry>> TypedEntries(std::string_view relative_dir) const;

  // Number of entries in a directory other than . and .. (e.g. "1234/fd").
  Result<std::uint64_t> CountEntries(std::string_view relative_dir) const;

  // st_size of a directory; on Linux >= 6.2 /proc/<pid>/fd reports the fd count.
  Result<std::uint64_t> DirectorySize(std::string_view relative_dir) const;

  const std::filesystem::path& root() const { return root_; }
  // statfs(2) f_type of the root (PROC_SUPER_MAGIC, SYSFS_MAGIC, ...).
  std::int64_t fs_type() const { return fs_type_; }

 protected:
  RootDir(std::filesystem::path root, std::shared_ptr<const int> dir_fd, std::int64_t fs_type)
      : root_(std::move(root)), dir_fd_(std::move(dir_fd)), fs_type_(fs_type) {}

  Error ErrnoError(int err, std::string_view relative_path) const;

 private:
  // An fd of `relative_dir` opened as a directory, or why not.
  Result<int> OpenDir(std::string_view relative_dir) const;
  // An fd of `relative_path` if it is a regular file, or why not.
  Result<int> OpenRegular(std::string_view relative_path) const;

  std::filesystem::path root_;
  std::shared_ptr<const int> dir_fd_;  // closed when the last copy goes
  std::int64_t fs_type_ = 0;
};

// ParseRead (result.h) for a parser whose result does not view the text:
// `buffer`, if a big file grew it, is given back once parsed.
template <class Parse>
auto ParseReadAndRelease(const Result<std::string_view>& text, std::string& buffer, Parse parse)
    -> decltype(parse(*text)) {
  auto out = ParseRead(text, parse);
  RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

// ParseRead for a parser whose result views the text: `buffer` must live on
// while the result is used, unless the parse failed (then a big one is given
// back).
template <class Parse>
auto ParseReadViewing(const Result<std::string_view>& text, std::string& buffer, Parse parse)
    -> decltype(parse(*text)) {
  auto out = ParseRead(text, parse);
  if (!out) {
    RootDir::ReleaseLargeBuffer(buffer);
  }
  return out;
}

}  // namespace vitals::procfs
