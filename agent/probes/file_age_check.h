#pragma once
// file_age: a file's mtime must be more recent than max_age (and, for
// Healthy, than degraded_age): the heartbeat file a cron job touches.

#include "agent/probes/probe.h"

namespace vitals::probes {

class FileAgeCheck final : public ProbeCheck {
 public:
  FileAgeCheck(config::FileAgeProbeConfig config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  config::FileAgeProbeConfig config_;
};

}  // namespace vitals::probes
