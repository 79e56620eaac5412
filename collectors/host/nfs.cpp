// node_exporter's "nfs" and "nfsd" collectors, one file for the two sides of
// NFS: the client's RPC statistics from /proc/net/rpc/nfs (packets, RPC calls,
// calls per NFS procedure and protocol version), the server's from
// /proc/net/rpc/nfsd (reply cache, threads, bytes, packets, RPC errors and
// requests per procedure and version).

#include <array>
#include <string_view>

#include "collectors/collector_registry.h"
#include "collectors/procfs/net_rpc.h"

namespace vitals::collectors {

namespace {

using prometheus::MetricType;

// Counters of `values` as `desc`{proto, method}, named by `names` in the
// file's order; an empty name is not exported.
template <std::size_t N>
void AddProcedures(MetricSink& out, const MetricDesc& desc, std::string_view proto,
                   const std::array<std::string_view, N>& names,
                   const std::array<std::uint64_t, N>& values) {
  for (std::size_t i = 0; i < N; ++i) {
    if (!names[i].empty()) {
      out.Add(desc, static_cast<double>(values[i]), {proto, names[i]});
    }
  }
}

// The client: /proc/net/rpc/nfs.

const MetricDesc kClientDescs[] = {
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

// The procedures in the file's order, named as node_exporter names them
// (procfs' field names).
constexpr std::array<std::string_view, 18> kClientV2 = {
    "Null", "GetAttr", "SetAttr", "Root", "Lookup", "ReadLink", "Read", "WrCache", "Write",
    "Create", "Remove", "Rename", "Link", "SymLink", "MkDir", "RmDir", "ReadDir", "FsStat"};
constexpr std::array<std::string_view, 22> kClientV3 = {
    "Null", "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read", "Write",
    "Create", "MkDir", "SymLink", "MkNod", "Remove", "RmDir", "Rename", "Link",
    "ReadDir", "ReadDirPlus", "FsStat", "FsInfo", "PathConf", "Commit"};
constexpr std::array<std::string_view, 59> kClientV4 = {
    "Null", "Read", "Write", "Commit", "Open", "OpenConfirm", "OpenNoattr", "OpenDowngrade",
    "Close", "Setattr", "FsInfo", "Renew", "SetClientID", "SetClientIDConfirm", "Lock", "Lockt",
    "Locku", "Access", "Getattr", "Lookup", "LookupRoot", "Remove", "Rename", "Link", "Symlink",
    "Create", "Pathconf", "StatFs", "ReadLink", "ReadDir", "ServerCaps", "DelegReturn", "GetACL",
    "SetACL", "FsLocations", "ReleaseLockowner", "Secinfo", "FsidPresent", "ExchangeID",
    "CreateSession", "DestroySession", "Sequence", "GetLeaseTime", "ReclaimComplete", "LayoutGet",
    "GetDeviceInfo", "LayoutCommit", "LayoutReturn", "SecinfoNoName", "TestStateID",
    "FreeStateID", "GetDeviceList", "BindConnToSession", "DestroyClientID", "Seek", "Allocate",
    "DeAllocate", "LayoutStats", "Clone"};

class NfsCollector : public Collector {
 public:
  explicit NfsCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "nfs"; }
  std::span<const MetricDesc> Describe() const override { return kClientDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto stats = procfs::ReadNfsClientStats(proc_, buffer_);
    if (!stats) {
      return NoDataIfAbsent(stats.error(), "no statistics (nfs module not loaded)");
    }
    const auto as_double = [](std::uint64_t v) { return static_cast<double>(v); };
    out.Add(kClientDescs[0], as_double(stats->network.udp), {"udp"});
    out.Add(kClientDescs[0], as_double(stats->network.tcp), {"tcp"});
    out.Add(kClientDescs[1], as_double(stats->network.tcp_connections));
    out.Add(kClientDescs[2], as_double(stats->rpc_calls));
    out.Add(kClientDescs[3], as_double(stats->rpc_retransmissions));
    out.Add(kClientDescs[4], as_double(stats->rpc_auth_refreshes));
    AddProcedures(out, kClientDescs[5], "2", kClientV2, stats->v2);
    AddProcedures(out, kClientDescs[5], "3", kClientV3, stats->v3);
    AddProcedures(out, kClientDescs[5], "4", kClientV4, stats->v4);
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

// The server: /proc/net/rpc/nfsd.

const MetricDesc kServerDescs[] = {
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

// The procedures in the file's order, named as node_exporter names them; an
// empty name is not exported (the Null procedures, the unused operations 0
// to 2, PUTPUBFH and PUTROOTFH). node_exporter takes the operation names
// from procfs 0.8.0, whose last three are two places off the kernel's
// numbering (its "Verify" counts operation 35, SETCLIENTID); kept, as
// dashboards compare these series with node_exporter's.
constexpr std::array<std::string_view, 18> kServerV2 = {
    "", "GetAttr", "SetAttr", "Root", "Lookup", "ReadLink", "Read", "WrCache", "Write",
    "Create", "Remove", "Rename", "Link", "SymLink", "MkDir", "RmDir", "ReadDir", "FsStat"};
constexpr std::array<std::string_view, 22> kServerV3 = {
    "", "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read", "Write",
    "Create", "MkDir", "SymLink", "MkNod", "Remove", "RmDir", "Rename", "Link",
    "ReadDir", "ReadDirPlus", "FsStat", "FsInfo", "PathConf", "Commit"};
constexpr std::array<std::string_view, 38> kServerV4 = {
    "", "", "", "Access", "Close", "Commit", "Create", "DelegPurge", "DelegReturn", "GetAttr",
    "GetFH", "Link", "Lock", "Lockt", "Locku", "Lookup", "LookupRoot", "Nverify", "Open",
    "OpenAttr", "OpenConfirm", "OpenDgrd", "PutFH", "", "", "Read", "ReadDir", "ReadLink",
    "Remove", "Rename", "Renew", "RestoreFH", "SaveFH", "SecInfo", "SetAttr", "Verify", "Write",
    "RelLockOwner"};

class NfsdCollector : public Collector {
 public:
  explicit NfsdCollector(const CollectorContext& ctx) : proc_(ctx.proc) {}
  std::string_view name() const override { return "nfsd"; }
  std::span<const MetricDesc> Describe() const override { return kServerDescs; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto stats = procfs::ReadNfsServerStats(proc_, buffer_);
    if (!stats) {
      return NoDataIfAbsent(stats.error(), "no statistics (nfsd module not loaded)");
    }
    const procfs::NfsServerStats& s = *stats;
    const auto add = [&out](const MetricDesc& desc, std::uint64_t v,
                            std::initializer_list<std::string_view> labels = {}) {
      out.Add(desc, static_cast<double>(v), labels);
    };
    add(kServerDescs[0], s.reply_cache_hits);
    add(kServerDescs[1], s.reply_cache_misses);
    add(kServerDescs[2], s.reply_cache_nocache);
    add(kServerDescs[3], s.file_handles_stale);
    add(kServerDescs[4], s.io_read);
    add(kServerDescs[5], s.io_write);
    add(kServerDescs[6], s.threads);
    add(kServerDescs[7], s.read_ahead_cache_size);
    add(kServerDescs[8], s.read_ahead_not_found);
    add(kServerDescs[9], s.network.udp, {"udp"});
    add(kServerDescs[9], s.network.tcp, {"tcp"});
    add(kServerDescs[10], s.network.tcp_connections);
    add(kServerDescs[11], s.rpc_bad_format, {"fmt"});
    add(kServerDescs[11], s.rpc_bad_auth, {"auth"});
    add(kServerDescs[11], s.rpc_bad_client, {"cInt"});
    add(kServerDescs[12], s.rpc_calls);
    AddProcedures(out, kServerDescs[13], "2", kServerV2, s.v2);
    AddProcedures(out, kServerDescs[13], "3", kServerV3, s.v3);
    AddProcedures(out, kServerDescs[13], "4", kServerV4, s.v4_ops);
    return {};
  }

 private:
  const procfs::ProcFs& proc_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(nfs, "NFS client statistics, from /proc/net/rpc/nfs", kEnabled, {},
                          NfsCollector);
VITALS_REGISTER_COLLECTOR(nfsd, "NFS server statistics, from /proc/net/rpc/nfsd", kEnabled, {},
                          NfsdCollector);

}  // namespace vitals::collectors
