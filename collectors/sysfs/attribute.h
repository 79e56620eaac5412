#pragma once
// Reading sysfs attributes (Documentation/filesystems/sysfs.rst: one value
// per file) as node_exporter 1.5.0 and its procfs library (v0.8.0) read
// them, so that values and label values agree byte for byte: SysReadFile's
// one read of at most 128 bytes, trimmed as Go's strings.TrimSpace; Go's
// integer syntax (collectors/procfs/go_text.h); and the read errors
// node_exporter takes for "the driver has no such attribute" rather than
// for a failure. Errors name the file by its full path.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

// The attribute `name` under `dir`: what one read(2) of 128 bytes returns,
// trimmed. A view of `buffer` (reused storage).
procfs::Result<std::string_view> ReadAttribute(const procfs::RootDir& dir, std::string_view name,
                                               std::string& buffer);

// procfs' util.ReadUintFromFile and ReadIntFromFile (node_exporter's
// readUintFromFile too): the whole file, trimmed, a base 10 number.
procfs::Result<std::uint64_t> ReadUintAttribute(const procfs::RootDir& dir, std::string_view name,
                                                std::string& buffer);
procfs::Result<std::int64_t> ReadIntAttribute(const procfs::RootDir& dir, std::string_view name,
                                              std::string& buffer);

// A read error node_exporter skips over: the file is absent (kNotFound),
// not ours to read (kPermission), or the driver does not support it now
// (EOPNOTSUPP, EINVAL: e.g. the speed of a link that is down).
bool IsUnsupported(const procfs::Error& error);
// The same without kPermission (node_exporter's fibrechannel reader).
bool IsAbsentOrUnsupported(const procfs::Error& error);

// An attribute's text holding an integer as Go's strconv.ParseInt /
// ParseUint read it with base 0 ("1500", "0x1003").
procfs::Result<std::int64_t> ParseIntAttribute(const procfs::RootDir& dir, std::string_view name,
                                               std::string_view value);
procfs::Result<std::uint64_t> ParseUintAttribute(const procfs::RootDir& dir, std::string_view name,
                                                 std::string_view value);

// The kParse error of the attribute `name` under `dir` whose `text` is not
// what `expected` says ("an integer").
procfs::Error AttributeError(const procfs::RootDir& dir, std::string_view name,
                             std::string_view expected, std::string_view text);

// The entries of `dir` that Go's filepath.Glob(dir + "/" + prefix + "[0-9]*")
// finds ("thermal_zone0", "cpu12"), sorted; none when `dir` does not exist
// or is not a directory (Glob skips what it cannot list; other errors are
// returned here).
procfs::Result<std::vector<std::string>> NumberedEntries(const procfs::RootDir& sys,
                                                         std::string_view dir,
                                                         std::string_view prefix);

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
