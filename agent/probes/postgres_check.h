#pragma once
// postgres: connect with libpq's non-blocking API and run `query` (SELECT 1),
// everything bound by the run's deadline. A host name in the DSN is resolved
// with our cancellable resolver and handed to libpq as hostaddr (libpq's own
// getaddrinfo would block past the deadline); statement_timeout is set to the
// check's timeout so the server also gives up on a query we abandon.
// Reports the server version in data.

#include "agent/probes/probe.h"

namespace vitals::probes {

class PostgresCheck final : public ProbeCheck {
 public:
  PostgresCheck(config::PostgresProbeConfig config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  config::PostgresProbeConfig config_;
};

}  // namespace vitals::probes
