#include "config/host_port.h"

#include <arpa/inet.h>

#include <charconv>

namespace vitals::config {

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

std::optional<HostPort> ParseHostPort(std::string_view text, HostPortUse use, std::string* error) {
  const bool listen = use == HostPortUse::kListen;
  auto fail = [&](std::string_view what) -> std::optional<HostPort> {
    *error = std::string(what) + ", got \"" + std::string(text) + "\"";
    return std::nullopt;
  };
  HostPort out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail("expected \"[ipv6]:port\"");
    }
    out.host = std::string(text.substr(1, close - 1));
    in6_addr v6{};
    if (inet_pton(AF_INET6, out.host.c_str(), &v6) != 1) {
      return fail("expected an IPv6 address between the brackets");
    }
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return fail("expected \"host:port\" (IPv6 as \"[::1]:port\")");
    }
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
    if (listen) {
      if (out.host == "localhost") {
        out.host = "127.0.0.1";
      }
      in_addr v4{};
      if (!out.host.empty() && inet_pton(AF_INET, out.host.c_str(), &v4) != 1) {
        return fail("a listen address's host must be empty (all interfaces), an IPv4 address, "
                    "[IPv6] or localhost");
      }
    } else if (out.host.empty()) {
      return fail("expected a host before \":port\"");
    }
  }
  const unsigned lowest = listen ? 0 : 1;
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || number < lowest ||
      number > 65535) {
    return fail(listen ? "expected a port from 0 to 65535" : "expected a port from 1 to 65535");
  }
  out.port = static_cast<std::uint16_t>(number);
  return out;
}

}  // namespace vitals::config
