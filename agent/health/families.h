#pragma once
// MakeFamily: an empty prometheus::MetricFamily, for the code that exports
// health, heartbeat and action metrics as per-scrape snapshots (STYLE.md §3).

#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <string>
#include <utility>

namespace vitals::health {

inline prometheus::MetricFamily MakeFamily(std::string name, std::string help,
                                           prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

}  // namespace vitals::health
