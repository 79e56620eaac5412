#pragma once
// http: one request with libcurl (method, headers, body, basic auth,
// redirects, TLS with a CA, a client certificate and a verify switch), then
// the verdict: status in expect_status (2xx by default), body matching
// body_regex (RE2), and Degraded when slower than degraded_latency.
// Bound by the run's deadline (CURLOPT_TIMEOUT_MS; the URL's host is looked
// up first with c-ares within it) and the stop token (the progress callback
// aborts the transfer). A response head over 64 KiB or a body over 1 MiB
// stops the transfer, and the reason says so.

#include <memory>

#include "agent/probes/probe.h"

namespace re2 {
class RE2;
}

namespace vitals::probes {

class HttpCheck final : public ProbeCheck {
 public:
  HttpCheck(config::HttpProbeConfig config, health::HealthStatus on_failure);
  ~HttpCheck() override;

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  config::HttpProbeConfig config_;
  std::unique_ptr<re2::RE2> body_regex_;
};

}  // namespace vitals::probes
