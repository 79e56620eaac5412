#pragma once
// Linux bonding in sysfs (Documentation/networking/bonding.rst, "Bonding
// Configuration via Sysfs"): class/net/bonding_masters lists the bonds,
// class/net/<bond>/bonding/slaves each bond's slaves, and
// class/net/<bond>/lower_<slave>/bonding_slave/mii_status ("up", "down",
// "going back", ...) each slave's link; "slave_<slave>" on kernels before
// 4.x. Names are split as Go's strings.Fields splits them.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct Bond {
  std::string master;
  std::uint32_t slaves = 0;
  std::uint32_t active = 0;  // slaves whose mii_status is "up"
};

// Every bond, once each. kNotFound when there is no bonding (no
// bonding_masters) or a file the listing names is absent.
procfs::Result<std::vector<Bond>> ReadBonding(const procfs::RootDir& sys, std::string& buffer);

}  // namespace vitals::sysfs
