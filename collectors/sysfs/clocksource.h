#pragma once
// /sys/devices/system/clocksource/clocksource<N>/{available,current}_clocksource
// (written by kernel/time/clocksource.c): the clock sources the kernel can
// use, space-separated, and the one it uses.

#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/root_dir.h"

namespace vitals::sysfs {

struct ClockSource {
  std::string name;                    // "0" of "clocksource0"
  std::vector<std::string> available;  // "tsc", "hpet", ...
  std::string current;
};

// Every clocksource<N> directory, in name order (as a glob lists them); none
// when the directory is absent.
procfs::Result<std::vector<ClockSource>> ReadClockSources(const procfs::RootDir& sys,
                                                          std::string& buffer);

}  // namespace vitals::sysfs
