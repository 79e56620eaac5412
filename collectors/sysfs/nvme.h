#pragma once
// class/nvme/<controller>/ (Documentation/ABI/testing/sysfs-class-nvme,
// drivers/nvme/host/sysfs.c): an NVMe controller's firmware_rev, model,
// serial and state ("live", "resetting", "connecting", "deleting", "dead",
// ...), as procfs' NVMeClass reads them. The model and serial are padded
// with spaces to their fixed width by the device; they come out trimmed.

#include <string>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct NvmeController {
  std::string name;  // "nvme0"
  std::string firmware_revision, model, serial, state;
};

// Every entry of class/nvme in name order, all four files read (invalid
// UTF-8 replaced, as these are label values); any failure is an error
// (kNotFound without the class or a file).
procfs::Result<std::vector<NvmeController>> ReadNvme(const procfs::RootDir& sys,
                                                     std::string& buffer);

}  // namespace vitals::sysfs
