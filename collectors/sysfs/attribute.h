#pragma once
// Reading sysfs attributes as node_exporter's sysfs library does
// (prometheus/procfs's SysReadFile): one read of at most 128 bytes, trimmed
// of white space as Go's strings.TrimSpace; and the read errors it takes
// for "the driver has no such attribute" rather than for a failure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

// The attribute `name` under `dir`: its first 128 bytes, trimmed. A view of
// `buffer`.
procfs::Result<std::string_view> ReadAttribute(const procfs::RootDir& dir, std::string_view name,
                                               std::string& buffer);

// A read error node_exporter skips over: the file is absent (kNotFound),
// not ours to read (kPermission), or the driver does not support it now
// (EOPNOTSUPP, EINVAL: e.g. the speed of a link that is down).
bool IsUnsupported(const procfs::Error& error);
// The same without kPermission (node_exporter's fibrechannel reader).
bool IsAbsentOrUnsupported(const procfs::Error& error);

// An attribute holding an integer as Go's strconv.ParseInt / ParseUint
// read it with base 0 ("1500", "0x1003"); a parse error names the file
// under `dir` otherwise.
procfs::Result<std::int64_t> ParseIntAttribute(const procfs::RootDir& dir, std::string_view name,
                                               std::string_view value);
procfs::Result<std::uint64_t> ParseUintAttribute(const procfs::RootDir& dir, std::string_view name,
                                                 std::string_view value);

// Every device of a class directory ("class/infiniband"), each read by
// `read_one(name)` (a procfs::Result<T>), in name order; the first error
// stops the reading (node_exporter reports no device then).
template <class T, class ReadOne>
procfs::Result<std::vector<T>> ReadClass(const procfs::RootDir& sys, std::string_view class_dir,
                                         ReadOne read_one) {
  std::vector<T> out;
  auto names = sys.Entries(class_dir);
  if (!names) {
    return names.error();
  }
  for (const std::string& name : *names) {
    procfs::Result<T> device = read_one(name);
    if (!device) {
      return device.error();
    }
    out.push_back(std::move(*device));
  }
  return out;
}

}  // namespace vitals::sysfs
