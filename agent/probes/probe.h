#pragma once
// ProbeCheck: what every probe kind shares. A probe is a health::Check that
// talks to a dependency within the run's deadline. Its subclass throws
// ProbeFailure for "could not get an answer" and "the answer is wrong"; this
// base turns that into the probe's failure status (the check's on_error,
// Unhealthy by default, as ASP.NET's failureStatus) with the reason as the
// description, keeps the measurements gathered so far in `data`, adds
// data["success"], and redacts every secret of the run from the text.
//
// Each probe kind is one file, <kind>_check.cpp: its settings and their
// reader, its ProbeCheck, the data keys that become vitals_probe_*{check}
// series, and its registration (ProbeKind below; agent/health/kind.h).
// Other data keys are for people.
//
// Thread contract: the scheduler never runs one Check twice at a time.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "agent/health/check.h"
#include "agent/health/kind.h"
#include "agent/probes/net.h"
#include "config/probes.h"

namespace vitals::probes {

struct ProbeRun {
  Deadline deadline;
  nlohmann::json data = nlohmann::json::object();
  std::vector<std::string> secrets;  // redacted from the description and data
};

class ProbeCheck : public health::Check {
 public:
  explicit ProbeCheck(health::HealthStatus on_failure) : on_failure_(on_failure) {}
  health::CheckResult Run(const health::CheckContext& ctx) final;

 protected:
  // Runs the probe once. Returns the verdict on an answer (Healthy, or
  // Degraded for a slow or soon-expiring one); throws ProbeFailure otherwise.
  virtual health::CheckResult Probe(ProbeRun& run) = 0;

 private:
  health::HealthStatus on_failure_;
};

// A probe kind: settings `S` (a config::KindSettings) read by `read`, checks
// of class `C`, built as C(settings, the check's on_error), and the data
// keys its runs measure that become series.
template <class S, class C>
health::CheckKind ProbeKind(std::string_view name, std::vector<std::string_view> keys,
                            S (*read)(const config::Reader&),
                            std::vector<health::DataMetric> metrics) {
  health::CheckKind kind = health::MakeKind<S>(
      name, std::move(keys),
      [read](const config::Reader& r, config::CheckConfig&, const config::KindReadContext&) {
        return read(r);
      },
      [](const S& settings, const config::CheckConfig&, health::KindContext& context) {
        return std::make_shared<C>(settings, context.spec.on_error);
      });
  kind.probe = true;
  kind.metrics = std::move(metrics);
  return kind;
}

// Data metrics several kinds measure.
extern const collectors::MetricDesc kIpProtocol;              // "ip_protocol": 4 or 6
extern const collectors::MetricDesc kSslEarliestCertExpiry;  // "ssl_earliest_cert_expiry"

// Reads a secret: the inline (already ${ENV}-expanded) value, or the file's
// first line (at most 4 KiB, trailing newline dropped; a regular file,
// opened without blocking). Throws ProbeFailure naming the file but never
// its content. Registers the value in run.secrets.
std::string ReadSecret(const config::Secret& secret, ProbeRun& run);

// A password file's first line, as ReadSecret reads it (also for `vitals
// status --password-file`). Throws ProbeFailure when it cannot be read or is empty.
std::string ReadPasswordFile(const std::string& path);

// Replaces every occurrence of each secret (of 3 or more characters) by "<redacted>".
std::string Redact(std::string text, const std::vector<std::string>& secrets);

// Up to `max` bytes of `text` for a message: one line, control bytes as \xNN,
// "..." when cut.
std::string Excerpt(std::string_view text, std::size_t max = 80);

// "2.5d", "3h", "12m", "40s": a rough age or time left for a person.
std::string HumanDuration(double seconds);

// A libpq DSN with its password removed, for messages: "password=..." in a
// key/value string, and "user:password@" in a URI.
std::string RedactDsn(const std::string& dsn);

}  // namespace vitals::probes
