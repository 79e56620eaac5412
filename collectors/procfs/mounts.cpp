#include "collectors/procfs/mounts.h"

#include "collectors/procfs/go_text.h"

namespace vitals::procfs {

namespace {

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

// \040 and \011 as node_exporter's two strings.Replace calls decode them.
std::string DecodeSpaceAndTab(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && text.substr(i + 1, 3) == "040") {
      out += ' ';
      i += 3;
    } else if (text[i] == '\\' && text.substr(i + 1, 3) == "011") {
      out += '\t';
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

Result<std::string_view> ReadMountTable(const ProcFs& proc, std::string& buffer) {
  auto text = proc.ReadInto("1/mounts", buffer);
  if (!text && text.error().code == Errc::kNotFound) {
    return proc.ReadInto("mounts", buffer);
  }
  return text;
}

Result<std::vector<Mount>> ParseMounts(std::string_view path, std::string_view text) {
  std::vector<Mount> mounts;
  detail::GoLines lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    detail::GoFields fields(line);
    std::string_view parts[4];
    std::size_t n = 0;
    while (n < 4 && fields.Next(parts[n])) {
      ++n;
    }
    if (n < 4) {
      return ParseError(std::string(path), "line " + std::to_string(lines.number()) +
                                               ": expected device, mount point, type and "
                                               "options, got \"" +
                                               std::string(line) + "\"");
    }
    mounts.push_back(Mount{std::string(parts[0]), DecodeSpaceAndTab(parts[1]),
                           std::string(parts[2]), std::string(parts[3])});
  }
  if (lines.too_long()) {
    return ParseError(std::string(path), "line " + std::to_string(lines.number() + 1) +
                                             " is longer than " +
                                             std::to_string(detail::kGoMaxLine) + " bytes");
  }
  return mounts;
}

std::string DecodeMountPath(std::string_view mount_point) {
  std::string out;
  out.reserve(mount_point.size());
  for (std::size_t i = 0; i < mount_point.size(); ++i) {
    // A byte's escape: \000 to \377.
    if (mount_point[i] == '\\' && i + 3 < mount_point.size() && mount_point[i + 1] >= '0' &&
        mount_point[i + 1] <= '3' && IsOctal(mount_point[i + 2]) && IsOctal(mount_point[i + 3])) {
      out += static_cast<char>(((mount_point[i + 1] - '0') << 6) |
                               ((mount_point[i + 2] - '0') << 3) | (mount_point[i + 3] - '0'));
      i += 3;
    } else {
      out += mount_point[i];
    }
  }
  return out;
}

std::string MountPointUnderRootfs(const std::string& rootfs, std::string mount_point) {
  if (rootfs == "/" || mount_point.compare(0, rootfs.size(), rootfs) != 0) {
    return mount_point;
  }
  mount_point.erase(0, rootfs.size());
  return mount_point.empty() ? "/" : mount_point;
}

std::string RootfsPath(const std::string& rootfs, std::string_view mount_point) {
  std::string path = rootfs;
  if (path.empty() || path.back() != '/') {
    path += '/';
  }
  const std::string decoded = DecodeMountPath(mount_point);
  path.append(decoded, !decoded.empty() && decoded.front() == '/' ? 1 : 0);
  return path;
}

}  // namespace vitals::procfs
