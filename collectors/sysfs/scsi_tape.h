#pragma once
// class/scsi_tape/st<N>/stats/ (Documentation/scsi/st.rst, "Sysfs and
// statistics for tape devices"): a tape drive's I/O counters, one decimal
// number per file. The other entries of the class (nst0, st0a, st0l, st0m:
// the same drive through other device nodes) are not read, as procfs'
// SCSITapeClass does not read them.

#include <cstdint>
#include <string>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct ScsiTape {
  std::string name;  // "st0"
  std::uint64_t in_flight = 0;
  std::uint64_t io_ns = 0;
  std::uint64_t other_cnt = 0;
  std::uint64_t read_byte_cnt = 0;
  std::uint64_t read_cnt = 0;
  std::uint64_t read_ns = 0;
  std::uint64_t resid_cnt = 0;
  std::uint64_t write_byte_cnt = 0;
  std::uint64_t write_cnt = 0;
  std::uint64_t write_ns = 0;
};

// Every st<N> of class/scsi_tape in name order. Each stats/ file is read
// (any failure is an error); each of the ten counters must be there and be
// an unsigned integer (Go's syntax, base 0). kNotFound without the class or
// a drive's stats/ directory.
procfs::Result<std::vector<ScsiTape>> ReadScsiTapes(const procfs::RootDir& sys,
                                                    std::string& buffer);

}  // namespace vitals::sysfs
