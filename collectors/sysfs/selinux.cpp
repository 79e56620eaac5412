#include "collectors/sysfs/selinux.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::sysfs {

std::string_view SelinuxConfigValue(std::string_view text) {
  procfs::detail::Lines lines(text);
  while (auto raw = lines.Next()) {
    std::string_view line = procfs::detail::TrimSpace(*raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') {
      continue;
    }
    std::size_t eq = line.find('=');
    if (eq != std::string_view::npos && line.substr(0, eq) == "SELINUX") {
      std::string_view value = line.substr(eq + 1);
      while (!value.empty() && value.front() == '"') {
        value.remove_prefix(1);
      }
      while (!value.empty() && value.back() == '"') {
        value.remove_suffix(1);
      }
      return value;
    }
  }
  return {};
}

procfs::Result<Selinux> ReadSelinux(const procfs::RootDir& sys, const procfs::RootDir& root,
                                    std::string& buffer) {
  Selinux out;
  auto enforce = sys.ReadInto("fs/selinux/enforce", buffer);
  if (!enforce) {
    if (enforce.error().code == procfs::Errc::kNotFound) {
      return out;  // no selinuxfs: disabled
    }
    return enforce.error();
  }
  out.enabled = true;
  auto mode = procfs::detail::ToI64(procfs::detail::TrimSpace(*enforce));
  out.current_mode = mode ? static_cast<int>(*mode) : kSelinuxDisabled;
  auto config = root.ReadInto("etc/selinux/config", buffer);
  if (!config && config.error().code != procfs::Errc::kNotFound) {
    return config.error();
  }
  std::string_view value = config ? SelinuxConfigValue(*config) : std::string_view();
  out.config_mode = value == "enforcing"    ? kSelinuxEnforcing
                    : value == "permissive" ? kSelinuxPermissive
                                            : kSelinuxDisabled;
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
