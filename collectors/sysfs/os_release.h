#pragma once
// os-release(5) under --path.rootfs: etc/os-release, else usr/lib/os-release.
// Shell-like "KEY=value" assignments, read as node_exporter reads them
// (hashicorp/go-envparse): blank lines and '#' comments skipped, an optional
// "export " prefix, values unquoted, in '...' literally or in "..." with
// JSON-style escapes (\" \\ \/ \b \f \n \r \t \uXXXX), a '#' after an
// unquoted value starts a comment. Anything else is an error naming the line.

#include <map>
#include <string>
#include <string_view>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

using OsRelease = std::map<std::string, std::string, std::less<>>;

// `path` names the file in errors.
procfs::Result<OsRelease> ParseOsRelease(std::string_view path, std::string_view text);
// kNotFound when neither file exists.
procfs::Result<OsRelease> ReadOsRelease(const procfs::RootDir& root, std::string& buffer);

}  // namespace vitals::sysfs
