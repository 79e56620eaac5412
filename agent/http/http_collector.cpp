#include "agent/http/http_collector.h"

namespace vitals::http {

namespace {

using collectors::MetricDesc;
using prometheus::MetricType;

const MetricDesc kDescs[] = {
    {"vitals_http_connections_accepted_total",
     "Connections accepted by the listener (before any limit applies).", MetricType::Counter, {}},
    {"vitals_http_connections_waiting",
     "Connections waiting for a request head: new, TLS handshakes and keep-alive.",
     MetricType::Gauge, {}},
    {"vitals_http_connections_closed_total",
     "Connections closed by the agent, by reason: evicted (room for a newer one), "
     "header_timeout, idle_timeout, request_timeout (body or answer too slow), "
     "header_too_large (431), plain_http_on_tls (400), tls_handshake (failed).",
     MetricType::Counter, {"reason"}},
    {"vitals_http_requests_refused_total",
     "Requests answered without running their handler, by reason: auth (401, 403), "
     "too_large (413), bad_request (400, 417, 501, 505), busy (503: too many password "
     "checks waiting).",
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
  const ConnectionStats& c = s.connections;
  out.Add(kDescs[0], Value(c.accepted));
  out.Add(kDescs[1], static_cast<double>(c.waiting.load()));
  out.Add(kDescs[2], Value(c.evicted), {"evicted"});
  out.Add(kDescs[2], Value(c.header_timeouts), {"header_timeout"});
  out.Add(kDescs[2], Value(c.idle_timeouts), {"idle_timeout"});
  out.Add(kDescs[2], Value(c.request_timeouts), {"request_timeout"});
  out.Add(kDescs[2], Value(c.headers_too_large), {"header_too_large"});
  out.Add(kDescs[2], Value(c.plain_http_on_tls), {"plain_http_on_tls"});
  out.Add(kDescs[2], Value(c.tls_handshake_errors), {"tls_handshake"});
  out.Add(kDescs[3], Value(s.auth_failures), {"auth"});
  out.Add(kDescs[3], Value(c.bodies_too_large), {"too_large"});
  out.Add(kDescs[3], Value(c.bad_requests), {"bad_request"});
  out.Add(kDescs[3], Value(s.busy), {"busy"});
  if (tls_) {
    out.Add(kDescs[4], Value(s.tls.reloads), {"success"});
    out.Add(kDescs[4], Value(s.tls.reload_errors), {"error"});
    out.Add(kDescs[5], static_cast<double>(s.tls.not_after.load()));
  }
  return {};
}

}  // namespace vitals::http
