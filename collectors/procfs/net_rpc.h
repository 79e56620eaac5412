#pragma once
// /proc/net/rpc/nfs (the NFS client) and /proc/net/rpc/nfsd (the NFS server):
// one line per statistic group, a key and unsigned decimal counters
// (net/sunrpc/stats.c, fs/nfsd/stats.c; nfsstat(8) reads the same files):
//   net 18628 0 18628 6        packets, UDP, TCP, TCP connections
//   rpc 4329785 0 4338291      client: calls, retransmissions, auth refreshes
//   proc3 22 1 4084749 ...     a count, then that many procedure counters
// The server file adds rc, fh, io, th, ra (removed in Linux 5.x), proc4 and
// proc4ops. Checked as prometheus/procfs 0.8.0 (what node_exporter 1.5.0
// reads them with) checks them: every line needs a key and a value, every
// value after the key is a decimal integer (th: only the first two), groups
// have their fixed lengths, a procN count must match the values after it
// (with at least 18, 22 and 39 for proc2, proc3 and proc4ops), and an
// unknown key is an error. A group absent from the file reads as zeros.

#include <array>
#include <cstdint>
#include <string_view>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct NfsNetwork {
  std::uint64_t packets = 0, udp = 0, tcp = 0, tcp_connections = 0;
};

// Procedure counters in the kernel's order, Null first.
using NfsV2Procs = std::array<std::uint64_t, 18>;
using NfsV3Procs = std::array<std::uint64_t, 22>;
// The client's NFSv4 procedures procfs 0.8.0 knows (Null ... Clone); a
// kernel that lists fewer leaves the rest 0, more are ignored.
using NfsV4ClientProcs = std::array<std::uint64_t, 59>;
// The server's first 38 NFSv4 operation counters (operations 0 to 37; the
// kernel lists more), the ones procfs 0.8.0 reads.
using NfsV4Ops = std::array<std::uint64_t, 38>;

struct NfsClientStats {
  NfsNetwork network;
  std::uint64_t rpc_calls = 0, rpc_retransmissions = 0, rpc_auth_refreshes = 0;
  NfsV2Procs v2{};
  NfsV3Procs v3{};
  NfsV4ClientProcs v4{};
};

struct NfsServerStats {
  std::uint64_t reply_cache_hits = 0, reply_cache_misses = 0, reply_cache_nocache = 0;
  std::uint64_t file_handles_stale = 0;
  std::uint64_t io_read = 0, io_write = 0;
  std::uint64_t threads = 0;
  std::uint64_t read_ahead_cache_size = 0, read_ahead_not_found = 0;
  NfsNetwork network;
  std::uint64_t rpc_calls = 0, rpc_bad_format = 0, rpc_bad_auth = 0, rpc_bad_client = 0;
  NfsV2Procs v2{};
  NfsV3Procs v3{};
  NfsV4Ops v4_ops{};
};

Result<NfsClientStats> ParseNfsClientStats(std::string_view text);  // net/rpc/nfs
Result<NfsServerStats> ParseNfsServerStats(std::string_view text);  // net/rpc/nfsd
Result<NfsClientStats> ReadNfsClientStats(const ProcFs& fs, std::string& buffer);
Result<NfsServerStats> ReadNfsServerStats(const ProcFs& fs, std::string& buffer);

}  // namespace vitals::procfs
