#pragma once
// The vitals_probe_* families (blackbox_exporter's probe_* under our prefix),
// built from the health snapshot like the vitals_check_* families: a scrape
// reads the last results, never runs a probe, and a probe removed by a reload
// disappears with its check.

#include <prometheus/metric_family.h>

#include <vector>

#include "agent/health/scheduler.h"

namespace vitals::probes {

// One series per probe check (kind is a probe kind) that has a result:
// vitals_probe_success, vitals_probe_duration_seconds, and those of its kind
// whose value the last run measured (see probe.h for the data keys).
std::vector<prometheus::MetricFamily> ProbeFamilies(const health::Snapshot& snapshot);

}  // namespace vitals::probes
