#include "agent/http/http_collector.h"

namespace vitals::http {

namespace {

using collectors::MetricDesc;
using prometheus::MetricType;

const MetricDesc kDescs[] = {
    {"vitals_http_connections_accepted_total",
     "Connections accepted by the listener (before any limit applies).", MetricType::Counter, {}},
    {"vitals_http_connections_waiting",
     "Connections held until their request head or ClientHello arrives.", MetricType::Gauge, {}},
    {"vitals_http_connections_closed_total",
     "Connections closed before reaching a worker, by reason: evicted (room for a newer one), "
     "header_timeout, header_too_large (431), plain_http_on_tls (400).",
     MetricType::Counter, {"reason"}},
    {"vitals_http_requests_refused_total",
     "Requests answered without running their handler, by reason: auth (401, 403), "
     "too_large (411, 413).",
     MetricType::Counter, {"reason"}},
    {"vitals_http_tls_certificate_reloads_total",
     "Times the TLS certificate and key were read again after a change, by result.",
     MetricType::Counter, {"result"}},
    {"vitals_http_tls_certificate_expiry_timestamp_seconds",
     "notAfter of the TLS certificate being served, in Unix seconds.", MetricType::Gauge, {}},
};

double Value(const std::atomic<std::uint64_t>& v) { return static_cast<double>(v.load()); }

}  // namespace

std::span<const MetricDesc> HttpCollector::Describe() const { return kDescs; }

procfs::Result<void> HttpCollector::Collect(collectors::MetricSink& out) {
  const ServerStats& s = *stats_;
  out.Add(kDescs[0], Value(s.gate.accepted));
  out.Add(kDescs[1], static_cast<double>(s.gate.waiting.load()));
  out.Add(kDescs[2], Value(s.gate.evicted), {"evicted"});
  out.Add(kDescs[2], Value(s.gate.header_timeouts), {"header_timeout"});
  out.Add(kDescs[2], Value(s.gate.headers_too_large), {"header_too_large"});
  out.Add(kDescs[2], Value(s.gate.plain_http_on_tls), {"plain_http_on_tls"});
  out.Add(kDescs[3], Value(s.auth_failures), {"auth"});
  out.Add(kDescs[3], Value(s.requests_too_large), {"too_large"});
  if (tls_) {
    out.Add(kDescs[4], Value(s.tls.reloads), {"success"});
    out.Add(kDescs[4], Value(s.tls.reload_errors), {"error"});
    out.Add(kDescs[5], static_cast<double>(s.tls.not_after.load()));
  }
  return {};
}

}  // namespace vitals::http
