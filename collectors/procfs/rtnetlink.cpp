#include "collectors/procfs/rtnetlink.h"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vitals::procfs {

namespace {

constexpr std::size_t kHeaderSize = NLMSG_HDRLEN;  // struct nlmsghdr, aligned
constexpr std::size_t kAttrHeaderSize = RTA_LENGTH(0);
constexpr int kDumpTries = 3;

template <class T>
T Load(std::string_view bytes, std::size_t offset = 0) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

std::size_t Align(std::size_t length) { return (length + NLMSG_ALIGNTO - 1) & ~std::size_t{NLMSG_ALIGNTO - 1}; }

Error NetlinkError(std::string_view what, std::string detail, int err = 0) {
  return Error{Errc::kIo, "netlink " + std::string(what), std::move(detail), err};
}

Error Malformed(std::string_view what, std::string detail) {
  return ParseError("netlink " + std::string(what), detail);
}

// Calls on_message(payload) for every message of `type` in `datagram`, the
// answer to request `seq`.
template <class OnMessage>
Result<DumpProgress> WalkDatagram(std::string_view datagram, std::uint32_t seq, std::uint16_t type,
                                  std::string_view what, OnMessage on_message) {
  DumpProgress progress;
  while (!datagram.empty()) {
    if (datagram.size() < kHeaderSize) {
      return Malformed(what, "a message header cut short (" + std::to_string(datagram.size()) + " bytes)");
    }
    const auto header = Load<nlmsghdr>(datagram);
    if (header.nlmsg_len < kHeaderSize || header.nlmsg_len > datagram.size()) {
      return Malformed(what, "a message of " + std::to_string(header.nlmsg_len) + " bytes in " +
                                 std::to_string(datagram.size()) + " bytes left");
    }
    if (header.nlmsg_seq != seq) {
      return Malformed(what, "a message of request " + std::to_string(header.nlmsg_seq) +
                                 ", expected " + std::to_string(seq));
    }
    if ((header.nlmsg_flags & NLM_F_DUMP_INTR) != 0) {
      progress.interrupted = true;
    }
    std::string_view payload = datagram.substr(kHeaderSize, header.nlmsg_len - kHeaderSize);
    datagram.remove_prefix(std::min(Align(header.nlmsg_len), datagram.size()));
    if (header.nlmsg_type == NLMSG_ERROR || header.nlmsg_type == NLMSG_DONE) {
      // Both may carry an error number (a dump that failed on its way).
      // The kernel sends 0 or a negative errno (at least -4095, MAX_ERRNO).
      const int code = payload.size() >= sizeof(int) ? Load<int>(payload) : 0;
      if (code > 0 || code < -4095) {
        return Malformed(what, "an error code of " + std::to_string(code) + ", not a negative errno");
      }
      const int err = -code;
      if (err != 0) {
        return NetlinkError(what, std::strerror(err), err);
      }
      if (header.nlmsg_type == NLMSG_DONE) {
        progress.done = true;
        return progress;
      }
      continue;
    }
    if (header.nlmsg_type == type) {
      if (auto handled = on_message(payload); !handled) {
        return handled.error();
      }
    }
  }
  return progress;
}

// Calls on_attribute(type, payload) for each route attribute in `attributes`.
template <class OnAttribute>
Result<void> WalkAttributes(std::string_view attributes, std::string_view what,
                            OnAttribute on_attribute) {
  while (attributes.size() >= kAttrHeaderSize) {
    const auto attr = Load<rtattr>(attributes);
    if (attr.rta_len < kAttrHeaderSize || attr.rta_len > attributes.size()) {
      return Malformed(what, "an attribute of " + std::to_string(attr.rta_len) + " bytes in " +
                                 std::to_string(attributes.size()) + " bytes left");
    }
    // The top bits flag nested and byte-order attributes (NLA_TYPE_MASK).
    if (auto done = on_attribute(static_cast<std::uint16_t>(attr.rta_type & NLA_TYPE_MASK),
                                 attributes.substr(kAttrHeaderSize, attr.rta_len - kAttrHeaderSize));
        !done) {
      return done;
    }
    attributes.remove_prefix(std::min(Align(attr.rta_len), attributes.size()));
  }
  return {};
}

std::string_view WithoutNuls(std::string_view text) {
  while (!text.empty() && text.back() == '\0') {
    text.remove_suffix(1);
  }
  return text;
}

// Sends the dump request `type` (its family header all zero: every device,
// every address family) and hands each datagram of the answer to `parse`,
// until NLMSG_DONE; again while the kernel marks it inconsistent.
template <class Out, class Parse>
Result<void> Dump(std::uint16_t type, std::size_t family_header_size, std::string_view what,
                  std::string& buffer, std::vector<Out>& out, Parse parse) {
  for (int attempt = 1; attempt <= kDumpTries; ++attempt) {
    out.clear();
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
      return NetlinkError(what, std::string("socket: ") + std::strerror(errno), errno);
    }
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    const timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

    const auto seq = static_cast<std::uint32_t>(attempt);
    char request[NLMSG_SPACE(sizeof(ifinfomsg))] = {};
    nlmsghdr header{};
    header.nlmsg_len = static_cast<std::uint32_t>(NLMSG_LENGTH(family_header_size));
    header.nlmsg_type = type;
    header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    header.nlmsg_seq = seq;
    std::memcpy(request, &header, sizeof(header));
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, request, header.nlmsg_len, 0, reinterpret_cast<const sockaddr*>(&kernel),
                 sizeof(kernel)) < 0) {
      return NetlinkError(what, std::string("send: ") + std::strerror(errno), errno);
    }
    DumpProgress progress;
    while (!progress.done) {
      if (buffer.size() < 32768) {
        buffer.resize(32768);  // the kernel's largest dump datagram without VF data
      }
      // The real length first, so that no datagram is cut.
      ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK | MSG_TRUNC);
      if (n > 0 && static_cast<std::size_t>(n) > buffer.size()) {
        buffer.resize(static_cast<std::size_t>(n));
      }
      if (n >= 0) {
        n = ::recv(fd, buffer.data(), buffer.size(), 0);
      }
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return NetlinkError(what, std::string("receive: ") +
                                      (errno == EAGAIN ? "no answer within 5 s" : std::strerror(errno)),
                            errno);
      }
      if (n == 0) {
        return NetlinkError(what, "the kernel closed the socket before the dump ended");
      }
      auto parsed = parse(std::string_view(buffer.data(), static_cast<std::size_t>(n)), seq, out);
      if (!parsed) {
        return parsed.error();
      }
      progress.done = parsed->done;
      progress.interrupted = progress.interrupted || parsed->interrupted;
    }
    if (!progress.interrupted) {
      return {};
    }
  }
  return NetlinkError(what, "the dump was inconsistent " + std::to_string(kDumpTries) +
                                " times in a row (devices kept changing)");
}

}  // namespace

Result<DumpProgress> ParseLinkDatagram(std::string_view datagram, std::uint32_t seq,
                                       std::vector<NetlinkLink>& out) {
  constexpr std::string_view kWhat = "RTM_GETLINK";
  return WalkDatagram(datagram, seq, RTM_NEWLINK, kWhat, [&out, kWhat](std::string_view payload) -> Result<void> {
    if (payload.size() < sizeof(ifinfomsg)) {
      return Malformed(kWhat, "RTM_NEWLINK of " + std::to_string(payload.size()) + " bytes");
    }
    NetlinkLink& link = out.emplace_back();
    link.index = static_cast<std::uint32_t>(Load<ifinfomsg>(payload).ifi_index);
    return WalkAttributes(payload.substr(NLMSG_ALIGN(sizeof(ifinfomsg))), kWhat,
                          [&link, kWhat](std::uint16_t type, std::string_view value) -> Result<void> {
      if (type == IFLA_IFNAME) {
        link.name.assign(WithoutNuls(value));
      } else if (type == IFLA_STATS64) {
        if (value.size() < kMinLinkStats * sizeof(std::uint64_t)) {
          return Malformed(kWhat, "IFLA_STATS64 of " + std::to_string(value.size()) +
                                      " bytes, expected " +
                                      std::to_string(kMinLinkStats * sizeof(std::uint64_t)) + " or more");
        }
        link.stats_count = std::min<std::size_t>(value.size() / sizeof(std::uint64_t), kLinkStatCount);
        std::memcpy(link.stats.data(), value.data(), link.stats_count * sizeof(std::uint64_t));
      }
      return {};
    });
  });
}

Result<DumpProgress> ParseAddressDatagram(std::string_view datagram, std::uint32_t seq,
                                          std::vector<NetlinkAddress>& out) {
  constexpr std::string_view kWhat = "RTM_GETADDR";
  return WalkDatagram(datagram, seq, RTM_NEWADDR, kWhat, [&out, kWhat](std::string_view payload) -> Result<void> {
    if (payload.size() < sizeof(ifaddrmsg)) {
      return Malformed(kWhat, "RTM_NEWADDR of " + std::to_string(payload.size()) + " bytes");
    }
    const auto message = Load<ifaddrmsg>(payload);
    if (message.ifa_family != AF_INET && message.ifa_family != AF_INET6) {
      return {};
    }
    const std::string_view attributes = payload.substr(NLMSG_ALIGN(sizeof(ifaddrmsg)));
    // Go takes the message's first attribute, past IFA_ADDRESS when there is
    // an IFA_LOCAL (then IFA_ADDRESS is the peer of a point-to-point link).
    bool has_local = false;
    auto scanned = WalkAttributes(attributes, kWhat, [&has_local](std::uint16_t type, std::string_view) {
      has_local = has_local || type == IFA_LOCAL;
      return Result<void>();
    });
    if (!scanned) {
      return scanned;
    }
    NetlinkAddress address;
    address.index = message.ifa_index;
    address.prefix_length = message.ifa_prefixlen;
    address.size = message.ifa_family == AF_INET ? 4 : 16;
    bool found = false;
    auto taken = WalkAttributes(attributes, kWhat, [&](std::uint16_t type, std::string_view value) -> Result<void> {
      if (found || (has_local && type == IFA_ADDRESS)) {
        return {};
      }
      if (value.size() < address.size) {
        return Malformed(kWhat, "an address of " + std::to_string(value.size()) + " bytes, expected " +
                                    std::to_string(address.size));
      }
      std::memcpy(address.bytes.data(), value.data(), address.size);
      found = true;
      return {};
    });
    if (!taken) {
      return taken;
    }
    if (found) {
      out.push_back(address);
    }
    return {};
  });
}

Result<void> RouteNetlink::DumpLinks(std::string& buffer, std::vector<NetlinkLink>& out) {
  return Dump(RTM_GETLINK, sizeof(ifinfomsg), "RTM_GETLINK", buffer, out, ParseLinkDatagram);
}

Result<void> RouteNetlink::DumpAddresses(std::string& buffer, std::vector<NetlinkAddress>& out) {
  return Dump(RTM_GETADDR, sizeof(ifaddrmsg), "RTM_GETADDR", buffer, out, ParseAddressDatagram);
}

}  // namespace vitals::procfs
