#pragma once
// The kernel's network devices and addresses over rtnetlink (rtnetlink(7),
// netlink(7)): an RTM_GETLINK dump (each device's name and its
// rtnl_link_stats64 counters, the data of /proc/net/dev at 64 bits with the
// error counters apart) and an RTM_GETADDR dump. node_exporter's netdev
// collector reads these by default instead of /proc/net/dev.
//
// The parsers take the bytes of one datagram, so they are pure and tested
// (and fuzzed) on bytes; RouteNetlink does the socket part. A dump is of
// the network namespace of the process, whatever --path.procfs says (as
// node_exporter's).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/result.h"

namespace vitals::procfs {

// struct rtnl_link_stats64 (include/uapi/linux/if_link.h), in its order; the
// kernel may send more counters after these.
enum LinkStat : std::size_t {
  kRxPackets, kTxPackets, kRxBytes, kTxBytes, kRxErrors, kTxErrors, kRxDropped, kTxDropped,
  kMulticast, kCollisions, kRxLengthErrors, kRxOverErrors, kRxCrcErrors, kRxFrameErrors,
  kRxFifoErrors, kRxMissedErrors, kTxAbortedErrors, kTxCarrierErrors, kTxFifoErrors,
  kTxHeartbeatErrors, kTxWindowErrors, kRxCompressed, kTxCompressed, kRxNohandler,
  kLinkStatCount
};
// The kernel's oldest rtnl_link_stats64 (before rx_nohandler, Linux 4.6)
// has the first 23 of them.
inline constexpr std::size_t kMinLinkStats = kRxNohandler;

struct NetlinkLink {
  std::uint32_t index = 0;
  std::string name;  // IFLA_IFNAME
  // How many of `stats` IFLA_STATS64 gave (0: no IFLA_STATS64); the rest are 0.
  std::size_t stats_count = 0;
  std::array<std::uint64_t, kLinkStatCount> stats{};
};

struct NetlinkAddress {
  std::uint32_t index = 0;  // of the device
  std::uint8_t prefix_length = 0;
  std::uint8_t size = 0;  // 4 (AF_INET) or 16 (AF_INET6)
  std::array<std::uint8_t, 16> bytes{};
};

// What one datagram of a dump said: messages appended to the output, and
// whether NLMSG_DONE ended the dump or the kernel marked it inconsistent
// (NLM_F_DUMP_INTR: devices changed while it was made).
struct DumpProgress {
  bool done = false;
  bool interrupted = false;
};

// One datagram of the answer to RTM_GETLINK / RTM_GETADDR request `seq`:
// appends each RTM_NEWLINK's device (RTM_NEWADDR's address) to `out`. An
// NLMSG_ERROR, a truncated message or attribute, or a message of another
// request is an error. An address is the one Go's net package reports:
// IFA_LOCAL when the message has one, else IFA_ADDRESS; families other than
// IPv4 and IPv6 are left out.
Result<DumpProgress> ParseLinkDatagram(std::string_view datagram, std::uint32_t seq,
                                       std::vector<NetlinkLink>& out);
Result<DumpProgress> ParseAddressDatagram(std::string_view datagram, std::uint32_t seq,
                                          std::vector<NetlinkAddress>& out);

// A NETLINK_ROUTE socket for dumps, opened per use. A dump the kernel marks
// inconsistent is made again (three tries), so a device is never listed
// twice or missed. Receives time out after 5 s.
class RouteNetlink {
 public:
  // `buffer` holds one datagram at a time; reused across dumps.
  static Result<void> DumpLinks(std::string& buffer, std::vector<NetlinkLink>& out);
  static Result<void> DumpAddresses(std::string& buffer, std::vector<NetlinkAddress>& out);
};

}  // namespace vitals::procfs
