#include "collectors/procfs/root_dir.h"

#include <dirent.h>
#include <linux/magic.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

std::string_view ErrcName(Errc code) {
  switch (code) {
    case Errc::kNotFound: return "not found";
    case Errc::kVanished: return "vanished";
    case Errc::kPermission: return "permission denied";
    case Errc::kParse: return "parse error";
    case Errc::kIo: return "i/o error";
    case Errc::kNoData: return "no data";
  }
  return "unknown";
}

std::string Error::ToString() const {
  std::string out(path);
  out += ": ";
  out += ErrcName(code);
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

namespace {

// Flags of every open under the root. O_NONBLOCK: a FIFO (or a device) where
// the kernel has a regular file must not block the open, which for a FIFO
// without a writer is forever; O_NOCTTY: a terminal never becomes ours. On a
// regular file or a directory O_NONBLOCK changes nothing.
constexpr int kOpenFlags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

// "FIFO", "directory", ...: what a file that should be regular is instead.
std::string_view FileTypeName(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFIFO: return "a FIFO";
    case S_IFDIR: return "a directory";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
  }
  return "a file of unknown type";
}

// Opens an fd that closes itself; the shared_ptr lets copies share it.
std::shared_ptr<const int> ShareFd(int fd) {
  return std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
}

// Calls `on_entry(name, d_type)` for each entry of the directory `fd` other than "."
// and "..", then closes `fd`. Uses getdents64 into a stack buffer rather than
// opendir(), which costs an fstat and a 32 KiB allocation per directory; the
// processes collector lists one task/ directory per process on every scrape.
// Returns 0 or the errno of a failed read (a partial listing must not be used).
template <class OnEntry>
int ForEachEntry(int fd, OnEntry on_entry) {
  alignas(struct dirent64) char buffer[8192];
  int err = 0;
  for (;;) {
    ssize_t n = ::getdents64(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      err = errno;
      break;
    }
    if (n == 0) {
      break;
    }
    for (ssize_t offset = 0; offset < n;) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(buffer + offset);
      offset += entry->d_reclen;
      std::string_view name(entry->d_name);
      if (name != "." && name != "..") {
        on_entry(name, entry->d_type);
      }
    }
  }
  ::close(fd);
  return err;
}

}  // namespace

Result<RootDir> RootDir::Open(const std::filesystem::path& root) {
  int fd = ::open(root.c_str(), kOpenFlags | O_DIRECTORY);
  if (fd < 0) {
    int err = errno;
    return Error{err == ENOENT ? Errc::kNotFound : Errc::kIo, root.string(), std::strerror(err)};
  }
  struct statfs fs {};
  std::int64_t type = ::fstatfs(fd, &fs) == 0 ? static_cast<std::int64_t>(fs.f_type) : 0;
  return RootDir(root, ShareFd(fd), type);
}

Error RootDir::ErrnoError(int err, std::string_view relative_path) const {
  Errc code = Errc::kIo;
  if (err == ENOENT) {
    code = Errc::kNotFound;
  } else if (err == ESRCH) {
    code = Errc::kVanished;
  } else if (err == EACCES || err == EPERM) {
    code = Errc::kPermission;
  }
  return Error{code, std::string(relative_path), std::strerror(err), err};
}

Result<int> RootDir::OpenRegular(std::string_view relative_path) const {
  std::string path(relative_path);
  int fd = ::openat(*dir_fd_, path.c_str(), kOpenFlags);
  if (fd < 0) {
    return ErrnoError(errno, relative_path);
  }
  // Only a regular file is read: a FIFO would block the read (or, with
  // O_NONBLOCK, read as empty), a device could stream without end. The
  // kernel's own procfs and sysfs hold neither (every file there is one the
  // kernel made), so there the check is skipped: it was a fifth of the
  // system calls of a scrape. A tree elsewhere (a container's bind mount
  // of a copy, a test fixture) is checked file by file.
  if (fs_type_ == PROC_SUPER_MAGIC || fs_type_ == SYSFS_MAGIC) {
    return fd;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoError(err, relative_path);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{Errc::kIo, path,
                 "is " + std::string(FileTypeName(st.st_mode)) + ", not a regular file"};
  }
  return fd;
}

Result<std::string_view> RootDir::ReadOnce(std::string_view relative_path, std::size_t size,
                                           std::string& buffer) const {
  auto fd = OpenRegular(relative_path);
  if (!fd) {
    return fd.error();
  }
  size = std::min(size, kMaxFileSize);
  if (buffer.size() < size) {
    buffer.resize(size);
  }
  ssize_t n;
  do {
    n = ::read(*fd, buffer.data(), size);
  } while (n < 0 && errno == EINTR);
  const int err = errno;
  ::close(*fd);
  if (n < 0) {
    return ErrnoError(err, relative_path);
  }
  return std::string_view(buffer.data(), static_cast<std::size_t>(n));
}

Result<std::string_view> RootDir::ReadInto(std::string_view relative_path, std::string& buffer,
                                          struct timespec* mtime) const {
  auto opened = OpenRegular(relative_path);
  if (!opened) {
    return opened.error();
  }
  const int fd = *opened;
  // /proc files report size 0, so read in chunks until EOF instead of stat().
  // The buffer is storage kept at its size across calls, and the text is the
  // view returned: resize() zero-fills, and clearing then growing it back
  // for every file was an 8 KiB memset per read, a fifth of a scrape's
  // instructions (callgrind).
  ReleaseLargeBuffer(buffer);
  std::size_t used = 0;
  for (;;) {
    if (buffer.size() - used < 4096 && buffer.size() <= kMaxFileSize) {
      // Double, but stop one byte past the cap: that byte tells an oversized
      // file, and reading one then costs 16 MiB, not 32.
      buffer.resize(std::min(std::max<std::size_t>(buffer.size() * 2, 8192), kMaxFileSize + 1));
    }
    ssize_t n = ::read(fd, buffer.data() + used, buffer.size() - used);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      int err = errno;
      ::close(fd);
      buffer.clear();
      return ErrnoError(err, relative_path);
    }
    if (n == 0) {
      break;
    }
    used += static_cast<std::size_t>(n);
    if (used > kMaxFileSize) {
      ::close(fd);
      // Give the memory back now: clear() would keep the 16 MiB this read
      // grew the reused buffer to until its next read.
      std::string().swap(buffer);
      return Error{Errc::kIo, std::string(relative_path),
                   "file larger than " + std::to_string(kMaxFileSize) + " bytes"};
    }
  }
  if (mtime != nullptr) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError(err, relative_path);
    }
    *mtime = st.st_mtim;
  }
  ::close(fd);
  return std::string_view(buffer.data(), used);
}

void RootDir::ReleaseLargeBuffer(std::string& buffer) {
  if (buffer.capacity() > kKeptBufferSize) {
    std::string().swap(buffer);
  }
}

Result<std::string> RootDir::Read(std::string_view relative_path) const {
  std::string buffer;
  auto r = ReadInto(relative_path, buffer);
  if (!r) {
    return r.error();
  }
  buffer.resize(r->size());
  return buffer;
}

Result<int> RootDir::OpenDir(std::string_view relative_dir) const {
  std::string path(relative_dir);
  int fd = ::openat(*dir_fd_, path.c_str(), kOpenFlags | O_DIRECTORY);
  if (fd < 0) {
    return ErrnoError(errno, relative_dir);
  }
  return fd;
}

Result<RootDir> RootDir::OpenSubdir(std::string_view relative_dir) const {
  auto fd = OpenDir(relative_dir);
  if (!fd) {
    return fd.error();
  }
  // Its own type: a mount inside the tree (a fixture on tmpfs bound under
  // /sys) must not pass for the kernel's.
  struct statfs fs {};
  std::int64_t type = ::fstatfs(*fd, &fs) == 0 ? static_cast<std::int64_t>(fs.f_type) : 0;
  return RootDir(root_ / relative_dir, ShareFd(*fd), type);
}

Result<std::vector<int>> RootDir::NumericEntries(std::string_view relative_dir) const {
  auto fd = OpenDir(relative_dir);
  if (!fd) {
    return fd.error();
  }
  std::vector<int> ids;
  int err = ForEachEntry(*fd, [&ids](std::string_view name, unsigned char) {
    auto id = detail::ToU64(name);
    if (id && *id > 0 && *id <= 0x7fffffffu) {
      ids.push_back(static_cast<int>(*id));
    }
  });
  if (err != 0) {
    return ErrnoError(err, relative_dir);  // a partial pid list would undercount silently
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::vector<std::string>> RootDir::Entries(std::string_view relative_dir) const {
  auto fd = OpenDir(relative_dir);
  if (!fd) {
    return fd.error();
  }
  std::vector<std::string> names;
  int err = ForEachEntry(*fd, [&names](std::string_view name, unsigned char) {
    names.emplace_back(name);
  });
  if (err != 0) {
    return ErrnoError(err, relative_dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<RootDir::Entry>> RootDir::TypedEntries(std::string_view relative_dir) const {
  auto fd = OpenDir(relative_dir);
  if (!fd) {
    return fd.error();
  }
  const int dir = *fd;
  std::vector<Entry> entries;
  int err = ForEachEntry(dir, [&entries, dir](std::string_view name, unsigned char d_type) {
    if (d_type == DT_UNKNOWN) {  // a filesystem that does not say: ask, without following
      struct stat st {};
      std::string path(name);
      if (::fstatat(dir, path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        d_type = static_cast<unsigned char>(IFTODT(st.st_mode));
      }
    }
    EntryType type = EntryType::kOther;
    if (d_type == DT_REG) {
      type = EntryType::kRegular;
    } else if (d_type == DT_DIR) {
      type = EntryType::kDirectory;
    } else if (d_type == DT_LNK) {
      type = EntryType::kSymlink;
    }
    entries.push_back(Entry{std::string(name), type});
  });
  if (err != 0) {
    return ErrnoError(err, relative_dir);
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return entries;
}

Result<std::uint64_t> RootDir::CountEntries(std::string_view relative_dir) const {
  auto fd = OpenDir(relative_dir);
  if (!fd) {
    return fd.error();
  }
  std::uint64_t count = 0;
  int err = ForEachEntry(*fd, [&count](std::string_view, unsigned char) { ++count; });
  if (err != 0) {
    return ErrnoError(err, relative_dir);
  }
  return count;
}

Result<std::uint64_t> RootDir::DirectorySize(std::string_view relative_dir) const {
  std::string path(relative_dir);
  struct stat st {};
  if (::fstatat(*dir_fd_, path.c_str(), &st, 0) != 0) {
    return ErrnoError(errno, relative_dir);
  }
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace vitals::procfs
