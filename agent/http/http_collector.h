#pragma once
// vitals_http_*: what the web layer refused and why (auth, sizes, slow or
// idle connections) and, with TLS, the serving certificate's reloads and
// expiry. Reads the ServerStats the Server writes; shares it by pointer, so
// it can be created before the server starts.

#include <memory>

#include "agent/http/server.h"
#include "collectors/collector.h"

namespace vitals::http {

class HttpCollector : public collectors::Collector {
 public:
  // `tls`: whether the TLS families apply (they are left out without TLS).
  HttpCollector(std::shared_ptr<const ServerStats> stats, bool tls)
      : stats_(std::move(stats)), tls_(tls) {}
  std::string_view name() const override { return "http"; }
  std::span<const collectors::MetricDesc> Describe() const override;
  procfs::Result<void> Collect(collectors::MetricSink& out) override;

 private:
  std::shared_ptr<const ServerStats> stats_;
  bool tls_;
};

}  // namespace vitals::http
