#pragma once
// IP addresses as Go's net package prints and classifies them, for the
// labels node_exporter makes of them (ipvs, netdev's address-info).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vitals::procfs {

// Go's To4(): the IPv4 address of a 4-byte address or of ::ffff:a.b.c.d.
std::optional<std::array<std::uint8_t, 4>> To4(std::span<const std::uint8_t> ip);

// net.IP.String(): a 4-byte address or an IPv4-mapped IPv6 one
// (::ffff:a.b.c.d) as "a.b.c.d"; IPv6 in lower-case hex with the first
// longest run of two or more zero groups as "::". Any other length: "?"
// followed by the bytes in hex, as Go prints it.
std::string FormatIp(std::span<const std::uint8_t> ip);

// An IPv6 address in hex groups, the full form the kernel prints ("%pI6":
// "2001:0db8:0000:...:0001") or compressed with "::", as net.ParseIP reads
// it; nullopt otherwise (the kernel never prints an embedded IPv4 part).
std::optional<std::array<std::uint8_t, 16>> ParseIpv6(std::string_view text);

// node_exporter's scope() of an address (netdev's address-info) through
// Go's predicates: "link-local" for loopback, link-local unicast and
// link-local multicast, "interface-local" for IPv6 interface-local
// multicast, "global" for global unicast, "" for the rest.
std::string_view AddressScope(std::span<const std::uint8_t> ip);

}  // namespace vitals::procfs
