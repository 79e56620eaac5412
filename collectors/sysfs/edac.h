#pragma once
// devices/system/edac/mc/mc<N>/ (Documentation/admin-guide/ras.rst,
// Documentation/ABI/testing/sysfs-devices-edac): the error counts of each
// memory controller (ce_count, ce_noinfo_count, ue_count, ue_noinfo_count)
// and of its chip-select rows (csrow<M>/ce_count, ue_count), decimal.

#include <cstdint>
#include <string>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct EdacCsrow {
  std::string number;  // "0" of csrow0
  std::uint64_t correctable = 0;
  std::uint64_t uncorrectable = 0;
};

struct EdacController {
  std::string number;  // "0" of mc0
  std::uint64_t correctable = 0;
  std::uint64_t correctable_noinfo = 0;  // errors that no csrow can be told for
  std::uint64_t uncorrectable = 0;
  std::uint64_t uncorrectable_noinfo = 0;
  std::vector<EdacCsrow> csrows;
};

// Every mc<N>* (and its csrow<M>*) in name order, numbered by the digits
// after "mc" ("csrow"), as node_exporter's edac collector does; none when
// there is no devices/system/edac/mc. A count file that is missing or not a
// number is an error.
procfs::Result<std::vector<EdacController>> ReadEdac(const procfs::RootDir& sys,
                                                     std::string& buffer);

}  // namespace vitals::sysfs
