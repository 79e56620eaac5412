// node_exporter's "sockstat" collector: sockets per protocol and state, from
// /proc/net/sockstat and /proc/net/sockstat6: node_sockstat_<PROTO>_<key>
// for the keys node_exporter knows, plus <PROTO>_mem_bytes (mem is in pages).

#include <algorithm>

#include "collectors/collector_registry.h"
#include "collectors/procfs/net_sockstat.h"

namespace vitals::collectors {

namespace {

const MetricDesc kDescs[] = {
    {"node_sockstat_sockets_used", "Number of IPv4 sockets in use.", prometheus::MetricType::Gauge,
     {}},
};
// The keys node_exporter exports, by the names it reads them as.
constexpr std::string_view kKeys[] = {"inuse", "orphan", "tw", "alloc", "mem", "memory"};

class SockstatCollector : public Collector {
 public:
  explicit SockstatCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "sockstat"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }
  std::string_view derived_prefix() const override { return "node_sockstat_"; }

  procfs::Result<void> Collect(MetricSink& out) override {
    derived_.StartScrape();
    for (std::string_view path : {"net/sockstat", "net/sockstat6"}) {
      auto stat = procfs::ReadSockstat(proc_, path, buffer_);
      if (!stat) {
        if (stat.error().code == procfs::Errc::kNotFound) {
          continue;  // IPv4 or IPv6 not built in: skipped, as node_exporter does
        }
        return stat.error();
      }
      if (stat->sockets_used && path == "net/sockstat") {
        out.Add(kDescs[0], static_cast<double>(*stat->sockets_used));
      }
      for (const procfs::SockstatProtocol& protocol : stat->protocols) {
        for (const procfs::SockstatValue& kv : protocol.values) {
          if (std::find(std::begin(kKeys), std::end(kKeys), kv.key) == std::end(kKeys)) {
            continue;
          }
          if (auto r = Add(out, protocol.name, kv.key, static_cast<double>(kv.value)); !r) {
            return r;
          }
          if (kv.key == "mem") {
            const double pages = static_cast<double>(kv.value);
            if (auto r = Add(out, protocol.name, "mem_bytes",
                             pages * static_cast<double>(proc_.system().page_size));
                !r) {
              return r;
            }
          }
        }
      }
    }
    return {};
  }

 private:
  procfs::Result<void> Add(MetricSink& out, std::string_view protocol, std::string_view key,
                           double value) {
    key_.assign(protocol);
    key_ += '_';
    key_ += key;
    auto family = derived_.Get(key_, prometheus::MetricType::Gauge, [&] {
      return std::optional(std::pair("node_sockstat_" + key_,
                                     "Number of " + std::string(protocol) + " sockets in state " +
                                         std::string(key) + "."));
    });
    if (family.bad_name) {
      return procfs::ParseError("net/sockstat", "protocol \"" + std::string(protocol) +
                                                    "\" does not make a valid metric name");
    }
    out.Add(*family.desc, value);
    return {};
  }

  const procfs::ProcFs& proc_;
  std::string buffer_;
  std::string key_;
  DerivedFamilies derived_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(sockstat, "Sockets per protocol and state, from /proc/net/sockstat{,6}",
                          kEnabled, {}, SockstatCollector);

}  // namespace vitals::collectors
