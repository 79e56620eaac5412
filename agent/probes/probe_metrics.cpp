#include "agent/probes/probe_metrics.h"

#include <algorithm>

#include "agent/health/families.h"
#include "config/probes.h"

namespace vitals::probes {

namespace {

struct FromData {
  const char* key;  // in CheckResult.data
  const char* name;
  const char* help;
};

// Sorted by name, the order of the exposition.
constexpr FromData kFromData[] = {
    {"dns_answer_rrs", "vitals_probe_dns_answer_rrs", "Addresses in the answer of a dns probe."},
    {"dns_lookup_time_seconds", "vitals_probe_dns_lookup_time_seconds",
     "How long the lookup of a dns probe took."},
    {"exec_exit_code", "vitals_probe_exec_exit_code",
     "Exit code of the command of an exec probe (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)."},
    {"file_age_seconds", "vitals_probe_file_age_seconds",
     "Seconds since the file of a file_age probe was modified."},
    {"http_content_length_bytes", "vitals_probe_http_content_length_bytes",
     "Length of the body an http probe received."},
    {"http_redirects", "vitals_probe_http_redirects", "Redirects an http probe followed."},
    {"http_status_code", "vitals_probe_http_status_code",
     "HTTP status code of the last answer to an http probe."},
    {"http_version", "vitals_probe_http_version", "HTTP version of the answer to an http probe."},
    {"ip_protocol", "vitals_probe_ip_protocol", "IP version a probe connected with (4 or 6)."},
    {"ssl_earliest_cert_expiry", "vitals_probe_ssl_earliest_cert_expiry",
     "When the peer certificate that expires first expires, in seconds since the epoch."},
};

prometheus::MetricFamily Gauge(const char* name, const char* help) {
  return health::MakeFamily(name, help, prometheus::MetricType::Gauge);
}

}  // namespace

std::vector<prometheus::MetricFamily> ProbeFamilies(const health::Snapshot& snapshot) {
  auto success = Gauge("vitals_probe_success",
                       "1 when the last run of a probe got a good answer (Healthy or Degraded).");
  auto duration = Gauge("vitals_probe_duration_seconds", "How long the last run of a probe took.");
  std::vector<prometheus::MetricFamily> extra;
  for (const auto& d : kFromData) {
    extra.push_back(Gauge(d.name, d.help));
  }
  for (const health::EntrySnapshot& entry : snapshot.entries) {
    if (entry.pending || !config::IsProbeKind(entry.kind)) {
      continue;
    }
    const bool ok = !entry.error && entry.data.is_object() &&
                    entry.data.value("success", false);
    health::AddSample(success, ok ? 1 : 0, {{"check", entry.name}});
    health::AddSample(duration, std::chrono::duration<double>(entry.duration).count(),
                      {{"check", entry.name}});
    if (!entry.data.is_object()) {
      continue;
    }
    for (std::size_t i = 0; i < std::size(kFromData); ++i) {
      auto it = entry.data.find(kFromData[i].key);
      if (it != entry.data.end() && it->is_number()) {
        health::AddSample(extra[i], it->get<double>(), {{"check", entry.name}});
      }
    }
  }
  std::vector<prometheus::MetricFamily> out;
  if (!success.metric.empty()) {
    out.push_back(std::move(duration));  // entries are sorted by name already
    for (auto& f : extra) {
      if (!f.metric.empty()) {
        out.push_back(std::move(f));
      }
    }
    out.push_back(std::move(success));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace vitals::probes
