#include "collectors/procfs/ip_address.h"

#include <charconv>

namespace vitals::procfs {

namespace {

void AppendNumber(std::string& out, unsigned value, int base) {
  char digits[8];
  auto end = std::to_chars(digits, digits + sizeof(digits), value, base).ptr;
  out.append(digits, end);
}

bool IsZero(std::span<const std::uint8_t> ip) {
  for (std::uint8_t b : ip) {
    if (b != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::array<std::uint8_t, 4>> To4(std::span<const std::uint8_t> ip) {
  if (ip.size() == 4) {
    return std::array<std::uint8_t, 4>{ip[0], ip[1], ip[2], ip[3]};
  }
  if (ip.size() != 16) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < 10; ++i) {
    if (ip[i] != 0) {
      return std::nullopt;
    }
  }
  if (ip[10] != 0xff || ip[11] != 0xff) {
    return std::nullopt;
  }
  return std::array<std::uint8_t, 4>{ip[12], ip[13], ip[14], ip[15]};
}

std::string FormatIp(std::span<const std::uint8_t> ip) {
  std::string out;
  if (ip.empty()) {
    return "<nil>";
  }
  if (auto v4 = To4(ip)) {
    for (std::size_t i = 0; i < 4; ++i) {
      if (i > 0) {
        out += '.';
      }
      AppendNumber(out, (*v4)[i], 10);
    }
    return out;
  }
  if (ip.size() != 16) {
    out = "?";
    for (std::uint8_t b : ip) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    }
    return out;
  }
  // The first longest run of zero groups, if it spans two groups or more.
  int zero_start = -1;
  int zero_end = -1;
  for (int i = 0; i < 16; i += 2) {
    int j = i;
    while (j < 16 && ip[static_cast<std::size_t>(j)] == 0 && ip[static_cast<std::size_t>(j) + 1] == 0) {
      j += 2;
    }
    if (j > i && j - i > zero_end - zero_start) {
      zero_start = i;
      zero_end = j;
      i = j;
    }
  }
  if (zero_end - zero_start <= 2) {
    zero_start = zero_end = -1;
  }
  for (int i = 0; i < 16; i += 2) {
    if (i == zero_start) {
      out += "::";
      i = zero_end;
      if (i >= 16) {
        break;
      }
    } else if (i > 0) {
      out += ':';
    }
    const auto index = static_cast<std::size_t>(i);
    AppendNumber(out, (unsigned{ip[index]} << 8) | ip[index + 1], 16);
  }
  return out;
}

std::optional<std::array<std::uint8_t, 16>> ParseIpv6(std::string_view text) {
  std::array<std::uint8_t, 16> ip{};
  int ellipsis = -1;
  if (text.starts_with("::")) {
    ellipsis = 0;
    text.remove_prefix(2);
    if (text.empty()) {
      return ip;
    }
  }
  int i = 0;
  while (i < 16) {
    unsigned group = 0;
    std::size_t digits = 0;
    while (digits < text.size()) {
      char c = text[digits];
      unsigned d = 0;
      if (c >= '0' && c <= '9') {
        d = static_cast<unsigned>(c - '0');
      } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
        d = static_cast<unsigned>((c | 0x20) - 'a' + 10);
      } else {
        break;
      }
      group = group * 16 + d;
      ++digits;
      if (group > 0xffff) {
        return std::nullopt;
      }
    }
    if (digits == 0) {
      return std::nullopt;
    }
    ip[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(group >> 8);
    ip[static_cast<std::size_t>(i) + 1] = static_cast<std::uint8_t>(group);
    i += 2;
    text.remove_prefix(digits);
    if (text.empty()) {
      break;
    }
    if (text[0] != ':' || text.size() == 1) {
      return std::nullopt;
    }
    text.remove_prefix(1);
    if (text[0] == ':') {
      if (ellipsis >= 0) {
        return std::nullopt;
      }
      ellipsis = i;
      text.remove_prefix(1);
      if (text.empty()) {
        break;
      }
    }
  }
  if (!text.empty()) {
    return std::nullopt;
  }
  if (i < 16) {
    if (ellipsis < 0) {
      return std::nullopt;
    }
    const int n = 16 - i;
    for (int j = i - 1; j >= ellipsis; --j) {
      ip[static_cast<std::size_t>(j + n)] = ip[static_cast<std::size_t>(j)];
    }
    for (int j = ellipsis + n - 1; j >= ellipsis; --j) {
      ip[static_cast<std::size_t>(j)] = 0;
    }
  } else if (ellipsis >= 0) {
    return std::nullopt;  // "::" must stand for one zero group at least
  }
  return ip;
}

std::string_view AddressScope(std::span<const std::uint8_t> ip) {
  const auto v4 = To4(ip);
  const bool v6 = !v4 && ip.size() == 16;
  bool loopback = false;
  bool link_local_unicast = false;
  bool link_local_multicast = false;
  bool multicast = false;
  if (v4) {
    const auto& a = *v4;
    loopback = a[0] == 127;
    link_local_unicast = a[0] == 169 && a[1] == 254;
    link_local_multicast = a[0] == 224 && a[1] == 0 && a[2] == 0;
    multicast = (a[0] & 0xf0) == 0xe0;
  } else if (v6) {
    loopback = IsZero(ip.first(15)) && ip[15] == 1;
    link_local_unicast = ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80;
    link_local_multicast = ip[0] == 0xff && (ip[1] & 0x0f) == 0x02;
    multicast = ip[0] == 0xff;
  }
  if (loopback || link_local_unicast || link_local_multicast) {
    return "link-local";
  }
  if (v6 && ip[0] == 0xff && (ip[1] & 0x0f) == 0x01) {
    return "interface-local";
  }
  const bool unspecified = v4 ? IsZero(*v4) : v6 && IsZero(ip);
  const bool broadcast = v4 && (*v4)[0] == 255 && (*v4)[1] == 255 && (*v4)[2] == 255 && (*v4)[3] == 255;
  if ((v4 || v6) && !broadcast && !unspecified && !multicast) {
    return "global";
  }
  return "";
}

}  // namespace vitals::procfs
