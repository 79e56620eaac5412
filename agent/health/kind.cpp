#include "agent/health/kind.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "agent/health/scheduler.h"

namespace vitals::health {

CheckKinds& CheckKinds::Mutable() {
  static CheckKinds kinds;  // built on first use: registrations run in any order
  return kinds;
}

const CheckKinds& CheckKinds::Builtin() { return Mutable(); }

bool RegisterBuiltinKind(CheckKind kind) { return CheckKinds::Mutable().Register(std::move(kind)); }

bool CheckKinds::Register(CheckKind kind) {
  if (Find(kind.config.name) != nullptr) {
    throw std::logic_error("check kind \"" + std::string(kind.config.name) +
                           "\" registered twice");
  }
  auto at = std::lower_bound(all_.begin(), all_.end(), kind.config.name,
                             [](const CheckKind& a, std::string_view b) { return a.config.name < b; });
  all_.insert(at, std::move(kind));
  table_.clear();
  for (const CheckKind& k : all_) {
    table_.push_back(k.config);
  }
  return true;
}

const CheckKind* CheckKinds::Find(std::string_view name) const {
  for (const CheckKind& kind : all_) {
    if (kind.config.name == name) {
      return &kind;
    }
  }
  return nullptr;
}

std::shared_ptr<Check> CheckKinds::Make(const config::CheckConfig& check,
                                        KindContext& context) const {
  const CheckKind* kind = Find(check.kind);
  if (kind == nullptr || !check.settings) {
    throw std::logic_error("check " + check.name + ": kind \"" + check.kind +
                           "\" is not registered here, or its settings were not read");
  }
  return kind->make(check, context);
}

namespace {

const collectors::MetricDesc kProbeSuccess = CheckGauge(
    "vitals_probe_success",
    "1 when the last run of a probe got a good answer (Healthy or Degraded).");
const collectors::MetricDesc kProbeDuration = CheckGauge(
    "vitals_probe_duration_seconds", "How long the last run of a probe took.");

}  // namespace

void AddKindSeries(const Snapshot& snapshot, const CheckKinds& kinds,
                   collectors::MetricSink& out) {
  for (const EntrySnapshot& entry : snapshot.entries) {
    const CheckKind* kind = kinds.Find(entry.kind);
    if (entry.pending || kind == nullptr) {
      continue;
    }
    const std::string_view check = entry.name;
    if (kind->probe) {
      const bool ok = !entry.error && entry.data.is_object() && entry.data.value("success", false);
      out.Add(kProbeSuccess, ok ? 1 : 0, {check});
      out.Add(kProbeDuration, std::chrono::duration<double>(entry.duration).count(), {check});
    }
    if (!entry.data.is_object()) {
      continue;
    }
    for (const DataMetric& metric : kind->metrics) {
      auto it = entry.data.find(metric.key);
      if (it != entry.data.end() && it->is_number()) {
        out.Add(*metric.desc, it->get<double>(), {check});
      }
    }
  }
}

}  // namespace vitals::health
