// node_exporter's "nfsd" collector: the NFS server's statistics from
// /proc/net/rpc/nfsd (reply cache, threads, bytes, packets, RPC errors and
// requests per NFS procedure and protocol version).

#include <array>
#include <string_view>

#include "collectors/collector_registry.h"
#include "collectors/procfs/net_rpc.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_nfsd_reply_cache_hits_total",
     "Total number of NFSd Reply Cache hits (client lost server response).", MetricType::Counter, {}},
    {"node_nfsd_reply_cache_misses_total",
     "Total number of NFSd Reply Cache an operation that requires caching (idempotent).",
     MetricType::Counter, {}},
    {"node_nfsd_reply_cache_nocache_total",
     "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/\u2026).",
     MetricType::Counter, {}},
    {"node_nfsd_file_handles_stale_total", "Total number of NFSd stale file handles",
     MetricType::Counter, {}},
    {"node_nfsd_disk_bytes_read_total", "Total NFSd bytes read.", MetricType::Counter, {}},
    {"node_nfsd_disk_bytes_written_total", "Total NFSd bytes written.", MetricType::Counter, {}},
    {"node_nfsd_server_threads", "Total number of NFSd kernel threads that are running.",
     MetricType::Gauge, {}},
    {"node_nfsd_read_ahead_cache_size_blocks", "How large the read ahead cache is in blocks.",
     MetricType::Gauge, {}},
    {"node_nfsd_read_ahead_cache_not_found_total", "Total number of NFSd read ahead cache not found.",
     MetricType::Counter, {}},
    {"node_nfsd_packets_total", "Total NFSd network packets (sent+received) by protocol type.",
     MetricType::Counter, {"proto"}},
    {"node_nfsd_connections_total", "Total number of NFSd TCP connections.", MetricType::Counter, {}},
    {"node_nfsd_rpc_errors_total", "Total number of NFSd RPC errors by error type.",
     MetricType::Counter, {"error"}},
    {"node_nfsd_server_rpcs_total", "Total number of NFSd RPCs.", MetricType::Counter, {}},
    {"node_nfsd_requests_total", "Total number NFSd Requests by method and protocol.",
     MetricType::Counter, {"proto", "method"}},
};
const MetricDesc& kPackets = kDescs[9];
const MetricDesc& kRpcErrors = kDescs[11];
const MetricDesc& kRequests = kDescs[13];

// The procedures in the file's order, named as node_exporter names them; an
// empty name is not exported (the Null procedures, the unused operations 0
// to 2, PUTPUBFH and PUTROOTFH). node_exporter takes the operation names
// from procfs 0.8.0, whose last three are two places off the kernel's
// numbering (its "Verify" counts operation 35, SETCLIENTID); kept, as
// dashboards compare these series with node_exporter's.
constexpr std::array<std::string_view, 18> kV2 = {
    "", "GetAttr", "SetAttr", "Root", "Lookup", "ReadLink", "Read", "WrCache", "Write",
    "Create", "Remove", "Rename", "Link", "SymLink", "MkDir", "RmDir", "ReadDir", "FsStat"};
constexpr std::array<std::string_view, 22> kV3 = {
    "", "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read", "Write",
    "Create", "MkDir", "SymLink", "MkNod", "Remove", "RmDir", "Rename", "Link",
    "ReadDir", "ReadDirPlus", "FsStat", "FsInfo", "PathConf", "Commit"};
constexpr std::array<std::string_view, 38> kV4 = {
    "", "", "", "Access", "Close", "Commit", "Create", "DelegPurge", "DelegReturn", "GetAttr",
    "GetFH", "Link", "Lock", "Lockt", "Locku", "Lookup", "LookupRoot", "Nverify", "Open",
    "OpenAttr", "OpenConfirm", "OpenDgrd", "PutFH", "", "", "Read", "ReadDir", "ReadLink",
    "Remove", "Rename", "Renew", "RestoreFH", "SaveFH", "SecInfo", "SetAttr", "Verify", "Write",
    "RelLockOwner"};

template <std::size_t N>
void AddProcedures(MetricSink& out, std::string_view proto,
                   const std::array<std::string_view, N>& names,
                   const std::array<std::uint64_t, N>& values) {
  for (std::size_t i = 0; i < N; ++i) {
    if (!names[i].empty()) {
      out.Add(kRequests, static_cast<double>(values[i]), {proto, names[i]});
    }
  }
}

class NfsdCollector : public Collector {
 public:
  explicit NfsdCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "nfsd"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto stats = procfs::ReadNfsServerStats(proc_, buffer_);
    if (!stats) {
      if (stats.error().code == procfs::Errc::kNotFound) {
        return NoData(stats.error().path, "no NFS server statistics (nfsd module not loaded)");
      }
      return stats.error();
    }
    const procfs::NfsServerStats& s = *stats;
    const auto add = [&out](const MetricDesc& desc, std::uint64_t v,
                            std::initializer_list<std::string_view> labels = {}) {
      out.Add(desc, static_cast<double>(v), labels);
    };
    add(kDescs[0], s.reply_cache_hits);
    add(kDescs[1], s.reply_cache_misses);
    add(kDescs[2], s.reply_cache_nocache);
    add(kDescs[3], s.file_handles_stale);
    add(kDescs[4], s.io_read);
    add(kDescs[5], s.io_write);
    add(kDescs[6], s.threads);
    add(kDescs[7], s.read_ahead_cache_size);
    add(kDescs[8], s.read_ahead_not_found);
    add(kPackets, s.network.udp, {"udp"});
    add(kPackets, s.network.tcp, {"tcp"});
    add(kDescs[10], s.network.tcp_connections);
    add(kRpcErrors, s.rpc_bad_format, {"fmt"});
    add(kRpcErrors, s.rpc_bad_auth, {"auth"});
    add(kRpcErrors, s.rpc_bad_client, {"cInt"});
    add(kDescs[12], s.rpc_calls);
    AddProcedures(out, "2", kV2, s.v2);
    AddProcedures(out, "3", kV3, s.v3);
    AddProcedures(out, "4", kV4, s.v4_ops);
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(nfsd, "NFS server statistics, from /proc/net/rpc/nfsd", kEnabled, {},
                          NfsdCollector);

}  // namespace vitals::collectors
