#pragma once
// "host:port", the one syntax of an address vitals listens on
// (--web.listen-address) and of an address a probe connects to:
//
//   host:port      a name or an IPv4 address ("db.internal:5432", "127.0.0.1:9810")
//   [ipv6]:port    an IPv6 literal, always in brackets ("[::1]:9810"), without
//                  a zone; a bare "::1:80" is refused, since its last colon
//                  could be part of the address
//   :port          listening only: all interfaces (IPv4)
//
// The port is decimal. A probe needs a host and a port from 1 to 65535 (port
// 0 cannot be connected to). Listening takes port 0 too (the kernel picks a
// free one, which the log then names) and, since the socket binds without
// resolving names, a host that is empty, an IP literal or "localhost" (the
// IPv4 loopback).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vitals::config {

struct HostPort {
  std::string host;  // without brackets; empty: all interfaces (listening only)
  std::uint16_t port = 0;
  std::string ToString() const;  // "[::1]:6379" for IPv6 literals, ":9810" for all interfaces
};

enum class HostPortUse {
  kConnect,  // a probe's address
  kListen,   // --web.listen-address
};

// nullopt with `error` set to what is wrong, ending with the text (`got "..."`).
std::optional<HostPort> ParseHostPort(std::string_view text, HostPortUse use, std::string* error);

}  // namespace vitals::config
