#include "agent/probes/probe_factory.h"

#include "agent/probes/dns_check.h"
#include "agent/probes/exec_check.h"
#include "agent/probes/file_age_check.h"
#include "agent/probes/http_check.h"
#include "agent/probes/postgres_check.h"
#include "agent/probes/redis_check.h"
#include "agent/probes/tcp_check.h"
#include "agent/probes/tls_expiry_check.h"

namespace vitals::probes {

namespace {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

}  // namespace

std::shared_ptr<health::Check> MakeProbe(const config::ProbeConfig& config,
                                         health::HealthStatus on_failure) {
  return std::visit(
      Overload{
          [&](const config::TcpProbeConfig& c) -> std::shared_ptr<health::Check> {
            return std::make_shared<TcpCheck>(c, on_failure);
          },
          [&](const config::HttpProbeConfig& c) -> std::shared_ptr<health::Check> {
            return std::make_shared<HttpCheck>(c, on_failure);
          },
          [&](const config::PostgresProbeConfig& c) -> std::shared_ptr<health::Check> {
            return std::make_shared<PostgresCheck>(c, on_failure);
          },
          [&](const config::RedisProbeConfig& c) -> std::shared_ptr<health::Check> {
            return std::make_shared<RedisCheck>(c, on_failure);
          },
          [&](const config::DnsProbeConfig& c) -> std::shared_ptr<health::Check> {
            return std::make_shared<DnsCheck>(c, on_failure);
          },
          [&](const config::ExecProbeConfig& c) -> std::shared_ptr<health::Check> {
            return std::make_shared<ExecCheck>(c, on_failure);
          },
          [&](const config::TlsExpiryProbeConfig& c) -> std::shared_ptr<health::Check> {
            return std::make_shared<TlsExpiryCheck>(c, on_failure);
          },
          [&](const config::FileAgeProbeConfig& c) -> std::shared_ptr<health::Check> {
            return std::make_shared<FileAgeCheck>(c, on_failure);
          },
      },
      config);
}

}  // namespace vitals::probes
