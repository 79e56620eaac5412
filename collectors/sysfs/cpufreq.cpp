#include "collectors/sysfs/cpufreq.h"

#include "collectors/sysfs/attribute.h"
#include "text/utf8.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kCpuDir = "devices/system/cpu";

// The number files, in the order of their fields in Cpufreq; the transition
// latency is read (its errors count) but not kept.
constexpr std::string_view kNumberFiles[] = {
    "cpuinfo_cur_freq", "cpuinfo_min_freq", "cpuinfo_max_freq", "scaling_cur_freq",
    "scaling_min_freq", "scaling_max_freq", "cpuinfo_transition_latency"};
constexpr std::string_view kTextFiles[] = {"scaling_available_governors", "scaling_driver",
                                           "scaling_governor", "related_cpus", "scaling_setspeed"};

}  // namespace

procfs::Result<std::vector<Cpufreq>> ReadCpufreq(const procfs::RootDir& sys, std::string& buffer) {
  auto cpus = NumberedEntries(sys, kCpuDir, "cpu");
  if (!cpus) {
    return cpus.error();
  }
  std::vector<Cpufreq> out;
  std::string dir;
  std::string path;
  for (const std::string& cpu : *cpus) {
    dir.assign(kCpuDir).append("/").append(cpu).append("/cpufreq");
    // os.Stat of the directory (a symlink to ../cpufreq/policy<N> on newer kernels).
    if (auto exists = sys.DirectorySize(dir); !exists) {
      if (exists.error().code == procfs::Errc::kNotFound) {
        continue;
      }
      return exists.error();
    }
    Cpufreq freq;
    freq.cpu = text::GoToValidUtf8(std::string_view(cpu).substr(3));  // a label value
    std::optional<std::uint64_t>* fields[] = {&freq.cpuinfo_cur, &freq.cpuinfo_min,
                                              &freq.cpuinfo_max, &freq.scaling_cur,
                                              &freq.scaling_min, &freq.scaling_max, nullptr};
    for (std::size_t i = 0; i < std::size(kNumberFiles); ++i) {
      path.assign(dir).append("/").append(kNumberFiles[i]);
      auto value = ReadUintAttribute(sys, path, buffer);
      if (!value) {
        if (value.error().code == procfs::Errc::kNotFound ||
            value.error().code == procfs::Errc::kPermission) {
          continue;
        }
        return value.error();
      }
      if (fields[i] != nullptr) {
        *fields[i] = *value;
      }
    }
    for (std::string_view file : kTextFiles) {
      path.assign(dir).append("/").append(file);
      if (auto text = ReadAttribute(sys, path, buffer); !text) {
        return text.error();
      }
    }
    out.push_back(std::move(freq));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
