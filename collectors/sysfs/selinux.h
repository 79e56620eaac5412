#pragma once
// SELinux state as node_exporter's selinux collector reports it, read under
// the configurable roots: enabled when selinuxfs is mounted at
// <sysfs>/fs/selinux (its "enforce" file exists: 1 enforcing, 0 permissive);
// the mode configured for boot from <rootfs>/etc/selinux/config
// (SELINUX=enforcing|permissive|disabled, selinux_config(5)).

#include <optional>
#include <string_view>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

// Modes as go-selinux numbers them.
enum SelinuxMode { kSelinuxDisabled = -1, kSelinuxPermissive = 0, kSelinuxEnforcing = 1 };

struct Selinux {
  bool enabled = false;
  int current_mode = kSelinuxDisabled;  // from enforce; -1 when it does not read as a number
  int config_mode = kSelinuxDisabled;   // from the config; disabled when absent
};

// The SELINUX= value of a config file's text ("" when not set).
std::string_view SelinuxConfigValue(std::string_view text);
procfs::Result<Selinux> ReadSelinux(const procfs::RootDir& sys, const procfs::RootDir& root,
                                    std::string& buffer);

}  // namespace vitals::sysfs
