#pragma once
// /proc/pressure/{cpu,io,memory}: pressure stall information (PSI), lines
// "some avg10=0.00 avg60=0.00 avg300=0.00 total=123" and "full ..."
// (Documentation/accounting/psi.rst). Needs Linux >= 4.20 with CONFIG_PSI;
// booted with psi=0 the files exist and reading them fails with EOPNOTSUPP.

#include <cstdint>
#include <optional>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct PsiLine {
  double avg10 = 0, avg60 = 0, avg300 = 0;
  std::uint64_t total = 0;  // microseconds stalled since boot
};

struct Psi {
  std::optional<PsiLine> some;
  std::optional<PsiLine> full;  // not in cpu before Linux 5.13
};

// `resource` names the file in errors. Lines of other kinds are ignored.
Result<Psi> ParsePsi(std::string_view resource, std::string_view text);
Result<Psi> ReadPsi(const ProcFs& fs, std::string_view resource, std::string& buffer);

}  // namespace vitals::procfs
