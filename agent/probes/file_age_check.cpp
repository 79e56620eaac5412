#include "agent/probes/file_age_check.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace vitals::probes {

health::CheckResult FileAgeCheck::Probe(ProbeRun& run) {
  struct stat st {};
  if (::stat(config_.path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) {
      throw ProbeFailure("file " + config_.path + " does not exist");
    }
    throw ProbeFailure("file " + config_.path + ": " + std::strerror(err));
  }
  const double mtime = static_cast<double>(st.st_mtim.tv_sec) +
                       static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
  const double now = std::chrono::duration<double>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const double age = now - mtime;
  run.data["file_age_seconds"] = age;
  run.data["mtime_seconds"] = mtime;
  const double max_age = std::chrono::duration<double>(config_.max_age).count();
  const std::string summary = "file " + config_.path + " modified " + HumanDuration(age) +
                              (age < 0 ? " in the future" : " ago");
  if (age > max_age) {
    throw ProbeFailure(summary + ", more than max_age " + HumanDuration(max_age));
  }
  if (config_.degraded_age) {
    const double degraded = std::chrono::duration<double>(*config_.degraded_age).count();
    if (age > degraded) {
      return health::CheckResult::Degraded(summary + ", more than degraded_age " +
                                           HumanDuration(degraded));
    }
  }
  return health::CheckResult::Healthy(summary);
}

}  // namespace vitals::probes
