#pragma once
// IPVS, the kernel's layer-4 load balancer (net/netfilter/ipvs/ip_vs_ctl.c):
//   /proc/net/ip_vs_stats: two header lines naming five columns ("Total
//     Conns", "Incoming Packets", ..., "Outgoing Bytes"), then their totals
//     in hex (then the per-second rates, not read);
//   /proc/net/ip_vs: three header lines, then each virtual service
//     ("TCP  0A000001:0050 wlc", "FWM  00000001 rr", IPv6 in brackets) and
//     below it its real servers ("  -> 0A000002:0050 Masq 1 3 7": forward
//     method, weight, active and inactive connections, columns found by the
//     header "-> RemoteAddress:Port Forward Weight ActiveConn InActConn").
// Both are absent without the ip_vs module.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct IpVsStats {
  std::uint64_t connections = 0;
  std::uint64_t incoming_packets = 0;
  std::uint64_t outgoing_packets = 0;
  std::uint64_t incoming_bytes = 0;
  std::uint64_t outgoing_bytes = 0;
};

Result<IpVsStats> ParseIpVsStats(std::string_view text);
Result<IpVsStats> ReadIpVsStats(const ProcFs& fs, std::string& buffer);

// One real server of a virtual service; addresses as Go prints them.
struct IpVsBackend {
  std::string_view proto;         // "TCP", "UDP", "SCTP", ... or "FWM"
  std::string local_address;      // the service's; "" for a firewall-mark service
  std::uint16_t local_port = 0;   // 0 for a firewall-mark service
  std::string_view local_mark;    // the mark as printed ("00000001"), "" unless FWM
  std::string remote_address;
  std::uint16_t remote_port = 0;
  std::uint64_t weight = 0;
  std::uint64_t active_connections = 0;
  std::uint64_t inactive_connections = 0;
};

// `out` is reused; its views point into `text`.
Result<void> ParseIpVsBackends(std::string_view text, std::vector<IpVsBackend>& out);
Result<void> ReadIpVsBackends(const ProcFs& fs, std::string& buffer, std::vector<IpVsBackend>& out);

}  // namespace vitals::procfs
