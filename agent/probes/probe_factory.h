#pragma once
// Builds the health::Check of a probe from its configuration (config/probes.h).
// `on_failure` is the status a failed probe reports: the check's on_error.

#include <memory>

#include "agent/health/check.h"
#include "config/probes.h"

namespace vitals::probes {

std::shared_ptr<health::Check> MakeProbe(const config::ProbeConfig& config,
                                         health::HealthStatus on_failure);

}  // namespace vitals::probes
