#pragma once
// Go's path/filepath Match, Glob, Clean and Join (Go 1.19, Unix), for flags
// that node_exporter reads through them: --collector.textfile.directory is
// a glob ("/var/lib/node-exporter/*", one directory or several), and the
// file label it exports is filepath.Join of the match and the file name.
// Patterns: '*' (any run of characters but '/'), '?' (one character but
// '/'), '[a-z]', '[^a-z]' (classes; '^' negates), '\\' escapes. Unlike
// glob(3), '*' matches a leading dot, there are no [:classes:], and '!' does
// not negate.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vitals::sysfs {

// Does `name` match `pattern` as a whole? nullopt: the pattern is malformed
// (Go's ErrBadPattern), e.g. "[", "a\\" or "[]".
std::optional<bool> GoMatch(std::string_view pattern, std::string_view name);

// The names of existing files that match `pattern`, sorted per directory
// level as Go returns them; a pattern without meta characters gives itself if
// it exists (lstat). Directories that cannot be read are skipped. nullopt: a
// malformed pattern. Reads the filesystem (directory listings, one stat per
// directory level), never a file's content.
std::optional<std::vector<std::string>> GoGlob(const std::string& pattern);

// filepath.Clean: the shortest equivalent path, lexically ("a//b/./c/.." is
// "a/b"; "" is ".").
std::string GoClean(std::string_view path);

// filepath.Join of two elements: Clean(dir + "/" + name), ignoring an empty one.
std::string GoJoin(std::string_view dir, std::string_view name);

}  // namespace vitals::sysfs
