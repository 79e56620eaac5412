#pragma once
// /proc/<pid>/mounts (proc(5); one mount per line in fstab(5)'s format:
// "device mountpoint fstype options dump pass"), read as node_exporter 1.5.0
// reads /proc/1/mounts for its filesystem collector.
//
// The kernel writes a space, tab, newline and backslash in the device, mount
// point and type as the octal escapes \040, \011, \012 and \134.
// node_exporter decodes \040 and \011 in the mount point only, and splits
// lines with Go's strings.Fields (go_text.h) and a bufio.Scanner (lines up to
// 64 KiB, a trailing \r dropped); the labels it exports are those strings,
// and so are ours.

#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"
#include "collectors/procfs/result.h"

namespace vitals::procfs {

struct Mount {
  std::string device;       // as written, escapes kept
  std::string mount_point;  // \040 and \011 decoded, other escapes kept
  std::string fs_type;
  std::string options;  // comma-separated, e.g. "rw,relatime"
};

// The mount table node_exporter reads, into `buffer`: /proc/1/mounts (the
// host's mount namespace for an agent in a container given the host's
// /proc), or /proc/mounts where hidepid hides pid 1.
Result<std::string_view> ReadMountTable(const ProcFs& proc, std::string& buffer);

// `path` names the file in errors. A line with fewer than four fields, or
// longer than Go's scanner takes, is an error (node_exporter's too).
Result<std::vector<Mount>> ParseMounts(std::string_view path, std::string_view text);

// The file name a mount point (as in Mount::mount_point) stands for: every
// \ooo octal escape decoded, so that statfs(2) finds a mount point whose name
// has a newline or a backslash.
std::string DecodeMountPath(std::string_view mount_point);

// A mount point as node_exporter labels it when --path.rootfs is `rootfs`:
// that path taken off its front as text (its rootfsStripPrefix), "/" for the
// root itself.
std::string MountPointUnderRootfs(const std::string& rootfs, std::string mount_point);

// The file to statfs(2) for a mount point (as labelled) under `rootfs`: the
// two joined (as node_exporter's filepath.Join, the slashes left to the
// kernel), escapes decoded (DecodeMountPath).
std::string RootfsPath(const std::string& rootfs, std::string_view mount_point);

}  // namespace vitals::procfs
