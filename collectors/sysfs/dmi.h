#pragma once
// class/dmi/id/ (Documentation/ABI/testing/sysfs-class-dmi): the SMBIOS
// strings of the machine (BIOS, board, chassis, product, vendor), one file
// each, as read by procfs' DMIClass.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

// (label, value) for each DMI string node_exporter exports that the machine
// has, sorted by label; the label is the file's name except system_vendor
// (sys_vendor). Values are trimmed and their invalid UTF-8 replaced, as
// node_exporter does. Only regular files are read; one root alone may read
// (product_serial, product_uuid, ...) is left out; kNotFound when the
// directory, or a file it lists, does not exist.
procfs::Result<std::vector<std::pair<std::string_view, std::string>>> ReadDmi(
    const procfs::RootDir& sys, std::string& buffer);

}  // namespace vitals::sysfs
