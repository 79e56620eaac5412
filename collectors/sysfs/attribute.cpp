#include "collectors/sysfs/attribute.h"

#include <cerrno>
#include <type_traits>

#include "collectors/procfs/go_text.h"

namespace vitals::sysfs {

namespace {

// The most SysReadFile reads of an attribute.
constexpr std::size_t kAttributeBytes = 128;

std::string PathOf(const procfs::RootDir& dir, std::string_view name) {
  return (dir.root() / name).string();
}

// `error` (from `dir`, about `name`) naming the file by its full path.
procfs::Error Named(procfs::Error error, const procfs::RootDir& dir, std::string_view name) {
  error.path = PathOf(dir, name);
  return error;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ReadUintAttribute and ReadIntAttribute: the whole file, trimmed, base 10.
template <class T>
procfs::Result<T> ReadDecimal(const procfs::RootDir& dir, std::string_view name,
                              std::string& buffer) {
  auto text = dir.ReadInto(name, buffer);
  if (!text) {
    return Named(text.error(), dir, name);
  }
  const std::string_view trimmed = procfs::detail::GoTrimSpace(*text);
  std::optional<T> value;
  if constexpr (std::is_signed_v<T>) {
    value = procfs::detail::GoParseInt(trimmed, 10);
  } else {
    value = procfs::detail::GoParseUint(trimmed, 10);
  }
  if (!value) {
    const char* expected = std::is_signed_v<T> ? "a decimal number" : "an unsigned decimal number";
    return AttributeError(dir, name, expected, trimmed);
  }
  return *value;
}

}  // namespace

procfs::Result<std::string_view> ReadAttribute(const procfs::RootDir& dir, std::string_view name,
                                               std::string& buffer) {
  auto text = dir.ReadOnce(name, kAttributeBytes, buffer);
  if (!text) {
    return Named(text.error(), dir, name);
  }
  return procfs::detail::GoTrimSpace(*text);
}

procfs::Result<std::uint64_t> ReadUintAttribute(const procfs::RootDir& dir, std::string_view name,
                                                std::string& buffer) {
  return ReadDecimal<std::uint64_t>(dir, name, buffer);
}

procfs::Result<std::int64_t> ReadIntAttribute(const procfs::RootDir& dir, std::string_view name,
                                              std::string& buffer) {
  return ReadDecimal<std::int64_t>(dir, name, buffer);
}

bool IsAbsentOrUnsupported(const procfs::Error& error) {
  return error.code == procfs::Errc::kNotFound || error.sys_errno == EOPNOTSUPP ||
         error.sys_errno == EINVAL;
}

bool IsUnsupported(const procfs::Error& error) {
  return IsAbsentOrUnsupported(error) || error.code == procfs::Errc::kPermission;
}

procfs::Result<std::int64_t> ParseIntAttribute(const procfs::RootDir& dir, std::string_view name,
                                               std::string_view value) {
  if (auto number = procfs::detail::GoParseInt(value, 0)) {
    return *number;
  }
  return AttributeError(dir, name, "an integer", value);
}

procfs::Result<std::uint64_t> ParseUintAttribute(const procfs::RootDir& dir, std::string_view name,
                                                 std::string_view value) {
  if (auto number = procfs::detail::GoParseUint(value, 0)) {
    return *number;
  }
  return AttributeError(dir, name, "an unsigned integer", value);
}

procfs::Error AttributeError(const procfs::RootDir& dir, std::string_view name,
                             std::string_view expected, std::string_view text) {
  return procfs::ParseError(PathOf(dir, name), "expected " + std::string(expected) + ", got \"" +
                                                   std::string(text) + "\"");
}

procfs::Result<std::vector<std::string>> NumberedEntries(const procfs::RootDir& sys,
                                                         std::string_view dir,
                                                         std::string_view prefix) {
  auto entries = sys.Entries(dir);
  if (!entries) {
    if (entries.error().code == procfs::Errc::kNotFound || entries.error().sys_errno == ENOTDIR) {
      return std::vector<std::string>();
    }
    return Named(entries.error(), sys, dir);
  }
  std::erase_if(*entries, [prefix](const std::string& name) {
    return name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
           !IsDigit(name[prefix.size()]);
  });
  return std::move(*entries);
}

}  // namespace vitals::sysfs
