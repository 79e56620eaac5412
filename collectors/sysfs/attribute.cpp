#include "collectors/sysfs/attribute.h"

#include <cerrno>

#include "collectors/procfs/go_text.h"

namespace vitals::sysfs {

namespace {

// The most SysReadFile reads of an attribute.
constexpr std::size_t kAttributeBytes = 128;

std::string PathOf(const procfs::RootDir& dir, std::string_view name) {
  return (dir.root() / name).string();
}

}  // namespace

procfs::Result<std::string_view> ReadAttribute(const procfs::RootDir& dir, std::string_view name,
                                               std::string& buffer) {
  auto text = dir.ReadInto(name, buffer);
  if (!text) {
    procfs::Error error = text.error();
    error.path = PathOf(dir, name);
    return error;
  }
  return procfs::detail::GoTrimSpace(text->substr(0, kAttributeBytes));
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
  return procfs::ParseError(PathOf(dir, name), "expected an integer, got \"" + std::string(value) + "\"");
}

procfs::Result<std::uint64_t> ParseUintAttribute(const procfs::RootDir& dir, std::string_view name,
                                                 std::string_view value) {
  if (auto number = procfs::detail::GoParseUint(value, 0)) {
    return *number;
  }
  return procfs::ParseError(PathOf(dir, name),
                            "expected an unsigned integer, got \"" + std::string(value) + "\"");
}

}  // namespace vitals::sysfs
