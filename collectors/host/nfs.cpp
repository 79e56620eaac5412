// node_exporter's "nfs" collector: the NFS client's RPC statistics from
// /proc/net/rpc/nfs (network packets, RPC calls, and calls per NFS
// procedure and protocol version).

#include <array>
#include <string_view>

#include "collectors/collector_registry.h"
#include "collectors/procfs/net_rpc.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_nfs_packets_total", "Total NFSd network packets (sent+received) by protocol type.",
     MetricType::Counter, {"protocol"}},
    {"node_nfs_connections_total", "Total number of NFSd TCP connections.", MetricType::Counter, {}},
    {"node_nfs_rpcs_total", "Total number of RPCs performed.", MetricType::Counter, {}},
    {"node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.",
     MetricType::Counter, {}},
    {"node_nfs_rpc_authentication_refreshes_total",
     "Number of RPC authentication refreshes performed.", MetricType::Counter, {}},
    {"node_nfs_requests_total", "Number of NFS procedures invoked.", MetricType::Counter,
     {"proto", "method"}},
};
const MetricDesc& kPackets = kDescs[0];
const MetricDesc& kRequests = kDescs[5];

// The procedures in the file's order, named as node_exporter names them
// (procfs' field names).
constexpr std::array<std::string_view, 18> kV2 = {
    "Null", "GetAttr", "SetAttr", "Root", "Lookup", "ReadLink", "Read", "WrCache", "Write",
    "Create", "Remove", "Rename", "Link", "SymLink", "MkDir", "RmDir", "ReadDir", "FsStat"};
constexpr std::array<std::string_view, 22> kV3 = {
    "Null", "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read", "Write",
    "Create", "MkDir", "SymLink", "MkNod", "Remove", "RmDir", "Rename", "Link",
    "ReadDir", "ReadDirPlus", "FsStat", "FsInfo", "PathConf", "Commit"};
constexpr std::array<std::string_view, 59> kV4 = {
    "Null", "Read", "Write", "Commit", "Open", "OpenConfirm", "OpenNoattr", "OpenDowngrade",
    "Close", "Setattr", "FsInfo", "Renew", "SetClientID", "SetClientIDConfirm", "Lock", "Lockt",
    "Locku", "Access", "Getattr", "Lookup", "LookupRoot", "Remove", "Rename", "Link", "Symlink",
    "Create", "Pathconf", "StatFs", "ReadLink", "ReadDir", "ServerCaps", "DelegReturn", "GetACL",
    "SetACL", "FsLocations", "ReleaseLockowner", "Secinfo", "FsidPresent", "ExchangeID",
    "CreateSession", "DestroySession", "Sequence", "GetLeaseTime", "ReclaimComplete", "LayoutGet",
    "GetDeviceInfo", "LayoutCommit", "LayoutReturn", "SecinfoNoName", "TestStateID",
    "FreeStateID", "GetDeviceList", "BindConnToSession", "DestroyClientID", "Seek", "Allocate",
    "DeAllocate", "LayoutStats", "Clone"};

template <std::size_t N>
void AddProcedures(MetricSink& out, std::string_view proto,
                   const std::array<std::string_view, N>& names,
                   const std::array<std::uint64_t, N>& values) {
  for (std::size_t i = 0; i < N; ++i) {
    out.Add(kRequests, static_cast<double>(values[i]), {proto, names[i]});
  }
}

class NfsCollector : public Collector {
 public:
  explicit NfsCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "nfs"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto stats = procfs::ReadNfsClientStats(proc_, buffer_);
    if (!stats) {
      if (stats.error().code == procfs::Errc::kNotFound) {
        return NoData(stats.error().path, "no NFS client statistics (nfs module not loaded)");
      }
      return stats.error();
    }
    const auto as_double = [](std::uint64_t v) { return static_cast<double>(v); };
    out.Add(kPackets, as_double(stats->network.udp), {"udp"});
    out.Add(kPackets, as_double(stats->network.tcp), {"tcp"});
    out.Add(kDescs[1], as_double(stats->network.tcp_connections));
    out.Add(kDescs[2], as_double(stats->rpc_calls));
    out.Add(kDescs[3], as_double(stats->rpc_retransmissions));
    out.Add(kDescs[4], as_double(stats->rpc_auth_refreshes));
    AddProcedures(out, "2", kV2, stats->v2);
    AddProcedures(out, "3", kV3, stats->v3);
    AddProcedures(out, "4", kV4, stats->v4);
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(nfs, "NFS client statistics, from /proc/net/rpc/nfs", kEnabled, {},
                          NfsCollector);

}  // namespace vitals::collectors
