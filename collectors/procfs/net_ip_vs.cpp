#include "collectors/procfs/net_ip_vs.h"

#include <array>
#include <optional>

#include "collectors/procfs/ip_address.h"
#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {

constexpr std::string_view kStatsPath = "net/ip_vs_stats";
constexpr std::string_view kPath = "net/ip_vs";

struct Endpoint {
  std::string address;
  std::uint16_t port = 0;
};

// "0A000001:0050" (IPv4 and port in hex) or "[2001:0db8:...:0001]:0050".
std::optional<Endpoint> ParseEndpoint(std::string_view text) {
  Endpoint out;
  std::string_view port;
  if (text.size() == 13 && text[8] == ':') {
    auto ip = detail::FromChars<std::uint32_t>(text.substr(0, 8), 16);
    if (!ip) {
      return std::nullopt;
    }
    const std::array<std::uint8_t, 4> bytes = {
        static_cast<std::uint8_t>(*ip >> 24), static_cast<std::uint8_t>(*ip >> 16),
        static_cast<std::uint8_t>(*ip >> 8), static_cast<std::uint8_t>(*ip)};
    out.address = FormatIp(bytes);
    port = text.substr(9);
  } else if (text.size() == 46 && text.front() == '[' && text.substr(40, 2) == "]:") {
    auto ip = ParseIpv6(text.substr(1, 39));
    if (!ip) {
      return std::nullopt;
    }
    out.address = FormatIp(*ip);
    port = text.substr(42);
  } else {
    return std::nullopt;
  }
  auto value = detail::FromChars<std::uint16_t>(port, 16);
  if (!value) {
    return std::nullopt;
  }
  out.port = *value;
  return out;
}

}  // namespace

Result<IpVsStats> ParseIpVsStats(std::string_view text) {
  detail::Lines lines(text);
  auto top = lines.Next();
  auto bottom = lines.Next();
  auto totals = lines.Next();
  // node_exporter wants the totals line ended by a newline.
  if (!top || !bottom || !totals || totals->data() + totals->size() == text.data() + text.size()) {
    return ParseError(std::string(kStatsPath), "expected two header lines and a line of totals");
  }
  IpVsStats stats;
  std::uint64_t IpVsStats::*const fields[] = {&IpVsStats::connections, &IpVsStats::incoming_packets,
                                              &IpVsStats::outgoing_packets, &IpVsStats::incoming_bytes,
                                              &IpVsStats::outgoing_bytes};
  constexpr std::string_view kNames[][2] = {{"Total", "Conns"},     {"Incoming", "Packets"},
                                            {"Outgoing", "Packets"}, {"Incoming", "Bytes"},
                                            {"Outgoing", "Bytes"}};
  // The header's columns, each named in two words over two lines, must be
  // the five known ones; their values are read by the header's order.
  std::array<int, 5> field_of{};
  detail::Fields top_names(*top);
  detail::Fields bottom_names(*bottom);
  std::size_t columns = 0;
  for (auto word = top_names.Next(); word; word = top_names.Next(), ++columns) {
    auto second = bottom_names.Next();
    int found = -1;
    for (int i = 0; i < 5; ++i) {
      if (second && kNames[i][0] == *word && kNames[i][1] == *second) {
        found = i;
      }
    }
    if (found < 0 || columns == 5) {
      return ParseError(std::string(kStatsPath), "unexpected header \"" + std::string(*top) + "\" / \"" +
                                                     std::string(*bottom) + "\"");
    }
    field_of[columns] = found;
  }
  detail::Fields values(*totals);
  std::size_t count = 0;
  while (auto field = values.Next()) {
    auto value = count < columns ? detail::FromChars<std::uint64_t>(*field, 16) : std::nullopt;
    if (!value) {
      count = columns + 1;
      break;
    }
    stats.*fields[field_of[count]] = *value;
    ++count;
  }
  if (columns != 5 || count != 5) {
    return ParseError(std::string(kStatsPath), "expected 5 hexadecimal totals, got \"" +
                                                   std::string(*totals) + "\"");
  }
  return stats;
}

Result<IpVsStats> ReadIpVsStats(const ProcFs& fs, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto(kStatsPath, buffer), buffer, ParseIpVsStats);
}

Result<void> ParseIpVsBackends(std::string_view text, std::vector<IpVsBackend>& out) {
  out.clear();
  detail::Lines lines(text);
  auto version = lines.Next();
  auto services = lines.Next();
  auto servers = lines.Next();
  if (!version || !version->starts_with("IP Virtual Server") || !services ||
      detail::Fields(*services).Next() != std::optional<std::string_view>("Prot")) {
    return ParseError(std::string(kPath), "expected the header \"IP Virtual Server ...\" and "
                                          "\"Prot LocalAddress:Port ...\"");
  }
  // "-> RemoteAddress:Port Forward Weight ActiveConn InActConn"
  std::size_t weight = 0, active = 0, inactive = 0, width = 0;
  if (servers) {
    detail::Fields names(*servers);
    for (auto name = names.Next(); name; name = names.Next(), ++width) {
      if (*name == "Weight") {
        weight = width;
      } else if (*name == "ActiveConn") {
        active = width;
      } else if (*name == "InActConn") {
        inactive = width;
      }
    }
  }
  if (!servers || detail::Fields(*servers).Next() != std::optional<std::string_view>("->") ||
      weight == 0 || active == 0 || inactive == 0) {
    return ParseError(std::string(kPath), "expected the header \"-> RemoteAddress:Port Forward "
                                          "Weight ActiveConn InActConn\", got \"" +
                                              std::string(servers.value_or("")) + "\"");
  }
  std::optional<IpVsBackend> service;  // the current virtual service
  while (auto line = lines.Next()) {
    std::array<std::string_view, 16> fields{};
    std::size_t count = 0;
    detail::Fields split(*line);
    for (auto field = split.Next(); field && count < fields.size(); field = split.Next()) {
      fields[count++] = *field;
    }
    if (count == 0) {
      continue;
    }
    auto bad = [&](std::string_view what) {
      return ParseError(std::string(kPath), std::string(what) + ": \"" + std::string(*line) + "\"");
    };
    if (fields[0] != "->") {
      if (count < 2) {
        return bad("expected a virtual service");
      }
      service.emplace();
      service->proto = fields[0];
      if (fields[0] == "FWM") {
        service->local_mark = fields[1];
      } else {
        auto local = ParseEndpoint(fields[1]);
        if (!local) {
          return bad("expected the service's address:port");
        }
        service->local_address = std::move(local->address);
        service->local_port = local->port;
      }
      continue;
    }
    if (!service) {
      return bad("a real server before any virtual service");
    }
    auto remote = count >= width ? ParseEndpoint(fields[1]) : std::nullopt;
    auto w = count >= width ? detail::ToU64(fields[weight]) : std::nullopt;
    auto a = count >= width ? detail::ToU64(fields[active]) : std::nullopt;
    auto i = count >= width ? detail::ToU64(fields[inactive]) : std::nullopt;
    if (!remote || !w || !a || !i) {
      return bad("expected \"-> address:port forward weight active inactive\"");
    }
    IpVsBackend& backend = out.emplace_back(*service);
    backend.remote_address = std::move(remote->address);
    backend.remote_port = remote->port;
    backend.weight = *w;
    backend.active_connections = *a;
    backend.inactive_connections = *i;
  }
  return {};
}

Result<void> ReadIpVsBackends(const ProcFs& fs, std::string& buffer, std::vector<IpVsBackend>& out) {
  return ParseReadViewing(fs.ReadInto(kPath, buffer), buffer,
                          [&out](std::string_view text) { return ParseIpVsBackends(text, out); });
}

}  // namespace vitals::procfs
