// icmp: `count` echo requests to an IPv4 or IPv6 address (or a name,
// resolved with c-ares), one every `packet_interval`, and the replies that
// come back within the run's deadline. All answered: Healthy; some lost:
// Degraded; none: the check's on_error. RTT (the mean of the replies) as
// vitals_probe_icmp_rtt_seconds, loss as vitals_probe_icmp_packet_loss_ratio.
//
//   {"name": "gateway", "kind": "icmp", "host": "192.0.2.1", "count": 3,
//    "packet_interval": "200ms", "timeout": "2s"}
//
// The socket: an unprivileged ICMP ("ping") socket where the agent's group
// is inside net.ipv4.ping_group_range (the kernel then fills in the
// identifier and hands this socket only its own replies), else a raw socket,
// which needs CAP_NET_RAW; with neither, the probe fails saying both why's.

#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "agent/health/kind.h"
#include "agent/probes/probe.h"

namespace vitals::probes {

namespace {

using Clock = std::chrono::steady_clock;

struct IcmpSettings : config::KindSettings {
  std::string host;
  int family = AF_UNSPEC;  // "ip_version": 4 or 6; unspecified: the first address
  std::uint32_t count = 3;
  std::chrono::milliseconds packet_interval{100};
};

IcmpSettings ReadIcmp(const config::Reader& r, config::CheckConfig& check,
                      const config::KindReadContext&) {
  IcmpSettings c;
  c.host = r.String("host", true).value_or("");
  if (r.Has("host") && c.host.empty()) {
    r.FailAt("host", "expected an address or a name, got an empty string");
  }
  if (auto v = r.Uint("ip_version", 6)) {
    if (*v != 4 && *v != 6) {
      r.FailAt("ip_version", "expected 4 or 6, got " + std::to_string(*v));
    }
    c.family = *v == 6 ? AF_INET6 : AF_INET;
  }
  if (auto n = r.Uint("count", 100)) {
    if (*n == 0) {
      r.FailAt("count", "expected an integer from 1 to 100, got 0");
    }
    c.count = static_cast<std::uint32_t>(*n);
  }
  c.packet_interval = r.Duration("packet_interval").value_or(c.packet_interval);
  if (c.packet_interval.count() == 0) {
    r.FailAt("packet_interval", "expected a duration above 0");
  }
  // The last request must leave its reply time to come back.
  const auto sending = c.packet_interval * (c.count - 1);
  if (sending >= check.timeout) {
    r.FailAt(r.Has("count") ? "count" : "packet_interval",
             "expected (count - 1) x packet_interval (" + std::to_string(sending.count()) +
                 "ms) below the timeout (" + std::to_string(check.timeout.count()) + "ms)");
  }
  return c;
}

std::string Errno(int e) { return std::strerror(e); }

std::string PingGroupRange() {
  char buf[64] = {};
  Fd fd(::open("/proc/sys/net/ipv4/ping_group_range", O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  const ssize_t n = fd ? ::read(fd.get(), buf, sizeof buf - 1) : -1;
  std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  for (char& ch : text) {
    ch = ch == '\t' ? ' ' : ch;
  }
  return text.empty() ? "unreadable" : "\"" + text + "\"";
}

struct IcmpSocket {
  Fd fd;
  bool raw = false;
};

IcmpSocket OpenSocket(int family) {
  const int protocol = family == AF_INET6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP};
  Fd datagram(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (datagram) {
    return {std::move(datagram), false};
  }
  const int datagram_errno = errno;
  Fd raw(::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (raw) {
    return {std::move(raw), true};
  }
  throw ProbeFailure("cannot open an ICMP socket: an unprivileged one was refused (" +
                     Errno(datagram_errno) + "; net.ipv4.ping_group_range is " +
                     PingGroupRange() + ", the agent's group " + std::to_string(::getegid()) +
                     ") and a raw one too (" + Errno(errno) + "; it needs CAP_NET_RAW)");
}

std::uint16_t Checksum(const std::uint8_t* data, std::size_t size) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < size; i += 2) {
    sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  }
  if (size % 2 != 0) {
    sum += static_cast<std::uint32_t>(data[size - 1] << 8);
  }
  while (sum >> 16 != 0) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(~sum);
}

constexpr std::uint8_t kMagic[8] = {'v', 'i', 't', 'a', 'l', 's', 'p', 'g'};
constexpr std::size_t kPacket = 8 + sizeof kMagic;  // ICMP header + payload

// An echo request: type, code, checksum, identifier, sequence, payload.
std::array<std::uint8_t, kPacket> EchoRequest(int family, std::uint16_t id, std::uint16_t seq) {
  std::array<std::uint8_t, kPacket> p{};
  p[0] = family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
  p[4] = static_cast<std::uint8_t>(id >> 8);
  p[5] = static_cast<std::uint8_t>(id & 0xff);
  p[6] = static_cast<std::uint8_t>(seq >> 8);
  p[7] = static_cast<std::uint8_t>(seq & 0xff);
  std::memcpy(p.data() + 8, kMagic, sizeof kMagic);
  if (family == AF_INET) {  // ICMPv6's is the kernel's (it covers a pseudo-header)
    const std::uint16_t sum = Checksum(p.data(), p.size());
    p[2] = static_cast<std::uint8_t>(sum >> 8);
    p[3] = static_cast<std::uint8_t>(sum & 0xff);
  }
  return p;
}

// The sequence number of an echo reply to us in `data` (as received), or -1.
int ReplySequence(const std::uint8_t* data, std::size_t size, int family, bool raw,
                  std::uint16_t id) {
  if (raw && family == AF_INET) {  // a raw IPv4 socket gets the IP header too
    if (size < 20) {
      return -1;
    }
    const std::size_t header = static_cast<std::size_t>(data[0] & 0x0f) * 4;
    if (header < 20 || header > size) {
      return -1;
    }
    data += header;
    size -= header;
  }
  const std::uint8_t reply = family == AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
  if (size < kPacket || data[0] != reply || data[1] != 0 ||
      std::memcmp(data + 8, kMagic, sizeof kMagic) != 0) {
    return -1;
  }
  // A raw socket sees every reply on the host; a ping socket only its own
  // (the kernel chose its identifier).
  if (raw && (data[4] << 8 | data[5]) != id) {
    return -1;
  }
  return data[6] << 8 | data[7];
}

bool SameAddress(const sockaddr_storage& a, const Address& b) {
  if (a.ss_family != b.family()) {
    return false;
  }
  if (a.ss_family == AF_INET) {
    return std::memcmp(&reinterpret_cast<const sockaddr_in&>(a).sin_addr,
                       &reinterpret_cast<const sockaddr_in*>(&b.storage)->sin_addr,
                       sizeof(in_addr)) == 0;
  }
  return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(a).sin6_addr,
                     &reinterpret_cast<const sockaddr_in6*>(&b.storage)->sin6_addr,
                     sizeof(in6_addr)) == 0;
}

const collectors::MetricDesc kIcmpRtt = health::CheckGauge(
    "vitals_probe_icmp_rtt_seconds", "Mean round-trip time of the echo replies an icmp probe got.");
const collectors::MetricDesc kIcmpLoss = health::CheckGauge(
    "vitals_probe_icmp_packet_loss_ratio",
    "Share of the echo requests of an icmp probe's last run that got no reply in time.");

class IcmpCheck final : public ProbeCheck {
 public:
  IcmpCheck(IcmpSettings config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override {
    std::string target = "icmp " + config_.host;
    ResolveOptions options;
    options.family = config_.family;
    Address to;
    try {
      to = Resolve(config_.host, 0, options, run.deadline).at(0);
    } catch (const ProbeFailure& e) {
      throw ProbeFailure(target + ": " + e.what());
    }
    const int family = to.family();
    if (to.ToString() != config_.host) {
      target += " (" + to.ToString() + ")";
    }
    IcmpSocket sock;
    try {
      sock = OpenSocket(family);
    } catch (const ProbeFailure& e) {
      throw ProbeFailure(target + ": " + e.what());
    }
    run.data["socket"] = sock.raw ? "raw" : "unprivileged";
    run.data["ip_protocol"] = family == AF_INET6 ? 6 : 4;
    static std::atomic<std::uint16_t> next_id{static_cast<std::uint16_t>(::getpid())};
    const std::uint16_t id = next_id++;

    const std::uint32_t count = config_.count;
    std::vector<Clock::time_point> sent(count);
    std::vector<std::optional<Clock::duration>> rtt(count);
    std::uint32_t sent_count = 0;
    std::uint32_t answered = 0;
    const Clock::time_point start = Clock::now();
    std::uint8_t buffer[1500];
    while (answered < count) {
      const Clock::time_point now = Clock::now();
      if (run.deadline.stop.stop_requested()) {
        run.deadline.Check(target);  // throws "cancelled, the agent is shutting down"
      }
      if (sent_count < count && now >= start + config_.packet_interval * sent_count) {
        const auto packet = EchoRequest(family, id, static_cast<std::uint16_t>(sent_count));
        sent[sent_count] = now;
        if (::sendto(sock.fd.get(), packet.data(), packet.size(), 0,
                     reinterpret_cast<const sockaddr*>(&to.storage), to.length) < 0 &&
            errno != EAGAIN && errno != EWOULDBLOCK) {
          throw ProbeFailure(target + ": sending an echo request: " + Errno(errno));
        }
        ++sent_count;
        continue;
      }
      if (now >= run.deadline.at) {
        break;  // what has not come back is lost
      }
      const Clock::time_point until =
          sent_count < count ? start + config_.packet_interval * sent_count : run.deadline.at;
      const auto wait = std::clamp(
          std::chrono::ceil<std::chrono::milliseconds>(std::min(until, run.deadline.at) - now),
          std::chrono::milliseconds(0), std::chrono::milliseconds(100));
      pollfd p{sock.fd.get(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) {
        continue;
      }
      for (;;) {
        sockaddr_storage from{};
        socklen_t from_length = sizeof from;
        const ssize_t n = ::recvfrom(sock.fd.get(), buffer, sizeof buffer, 0,
                                     reinterpret_cast<sockaddr*>(&from), &from_length);
        if (n < 0) {
          break;  // EAGAIN: all read
        }
        const int seq = ReplySequence(buffer, static_cast<std::size_t>(n), family, sock.raw, id);
        if (seq < 0 || static_cast<std::uint32_t>(seq) >= sent_count || !SameAddress(from, to) ||
            rtt[static_cast<std::size_t>(seq)]) {
          continue;  // not a reply to us, or a duplicate
        }
        rtt[static_cast<std::size_t>(seq)] = Clock::now() - sent[static_cast<std::size_t>(seq)];
        ++answered;
      }
    }
    const std::uint32_t lost = count - answered;
    run.data["icmp_packets_sent"] = sent_count;
    run.data["icmp_packets_received"] = answered;
    run.data["icmp_packet_loss_ratio"] = static_cast<double>(lost) / count;
    if (answered == 0) {
      throw ProbeFailure(target + ": no reply to " + std::to_string(count) + " echo request" +
                         (count == 1 ? "" : "s") + " within the " +
                         run.deadline.TimeoutText() + " timeout");
    }
    std::chrono::duration<double> total{0};
    std::chrono::duration<double> worst{0};
    for (const auto& r : rtt) {
      if (r) {
        total += *r;
        worst = std::max<std::chrono::duration<double>>(worst, *r);
      }
    }
    const double mean = total.count() / answered;
    run.data["icmp_rtt_seconds"] = mean;
    char text[96];
    std::snprintf(text, sizeof text, "rtt mean %.3fms, max %.3fms", mean * 1e3,
                  worst.count() * 1e3);
    if (lost > 0) {
      return health::CheckResult::Degraded(target + ": " + std::to_string(lost) + " of " +
                                           std::to_string(count) + " echo requests lost; " + text);
    }
    return health::CheckResult::Healthy(target + ": " + std::to_string(count) + " of " +
                                        std::to_string(count) + " answered; " + text);
  }

 private:
  IcmpSettings config_;
};

health::CheckKind IcmpKind() {
  health::CheckKind kind = health::MakeKind<IcmpSettings>(
      "icmp", {"host", "ip_version", "count", "packet_interval"}, ReadIcmp,
      [](const IcmpSettings& settings, const config::CheckConfig&, health::KindContext& context) {
        return std::make_shared<IcmpCheck>(settings, context.spec.on_error);
      });
  kind.probe = true;
  kind.metrics = {{"icmp_packet_loss_ratio", &kIcmpLoss},
                  {"icmp_rtt_seconds", &kIcmpRtt},
                  {"ip_protocol", &kIpProtocol}};
  return kind;
}

}  // namespace

VITALS_REGISTER_CHECK_KIND(icmp, IcmpKind());

}  // namespace vitals::probes
