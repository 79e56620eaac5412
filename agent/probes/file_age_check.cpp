// file_age: a file's mtime must be more recent than max_age (and, for
// Healthy, than degraded_age): the heartbeat file a cron job touches.

#include "agent/health/kind.h"
#include "agent/probes/probe.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace vitals::probes {

namespace {

struct FileAgeSettings : config::KindSettings {
  std::string path;
  std::chrono::milliseconds max_age{0};                      // older: Unhealthy
  std::optional<std::chrono::milliseconds> degraded_age;  // older: Degraded
};

FileAgeSettings ReadFileAge(const config::Reader& r) {
  FileAgeSettings c;
  c.path = r.String("path", true).value_or("");
  c.max_age = r.Duration("max_age", true).value_or(c.max_age);
  c.degraded_age = r.Duration("degraded_age");
  if (c.degraded_age && *c.degraded_age > c.max_age) {
    r.FailAt("degraded_age", "must not be longer than max_age (Degraded comes first)");
  }
  return c;
}

class FileAgeCheck final : public ProbeCheck {
 public:
  FileAgeCheck(FileAgeSettings config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  FileAgeSettings config_;
};

const collectors::MetricDesc kFileAgeSeconds = health::CheckGauge(
    "vitals_probe_file_age_seconds", "Seconds since the file of a file_age probe was modified.");

}  // namespace


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

VITALS_REGISTER_CHECK_KIND(file_age, (ProbeKind<FileAgeSettings, FileAgeCheck>(
                                "file_age", {"path", "max_age", "degraded_age"}, ReadFileAge,
                                {{"file_age_seconds", &kFileAgeSeconds}})));

}  // namespace vitals::probes
