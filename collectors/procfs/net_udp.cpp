#include "collectors/procfs/net_udp.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

Result<UdpQueues> ParseUdpQueues(std::string_view path, std::string_view text) {
  UdpQueues out;
  detail::Lines lines(text);
  auto header = lines.Next();
  if (!header || detail::Fields(*header).Next() != std::optional<std::string_view>("sl")) {
    return ParseError(std::string(path), "expected a header line starting with \"sl\", got \"" +
                                             std::string(header.value_or("")) + "\"");
  }
  while (auto line = lines.Next()) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
    detail::Fields fields(*line);
    std::string_view columns[10];
    std::size_t n = 0;
    while (n < 10) {
      auto field = fields.Next();
      if (!field) {
        break;
      }
      columns[n++] = *field;
    }
    if (n == 0) {
      continue;
    }
    std::string_view queues = n == 10 ? columns[4] : std::string_view();
    std::size_t colon = queues.find(':');
    auto tx = colon != std::string_view::npos ? detail::FromChars<std::uint64_t>(queues.substr(0, colon), 16) : std::nullopt;
    auto rx = colon != std::string_view::npos ? detail::FromChars<std::uint64_t>(queues.substr(colon + 1), 16) : std::nullopt;
    if (!tx || !rx || columns[0].back() != ':') {
      return ParseError(std::string(path), "expected a socket line of 10 or more columns with "
                                           "tx_queue:rx_queue in hex, got \"" + std::string(*line) + "\"");
    }
    out.tx_bytes += *tx;
    out.rx_bytes += *rx;
    ++out.sockets;
  }
  return out;
}

Result<UdpQueues> ReadUdpQueues(const ProcFs& fs, std::string_view path, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto(path, buffer), buffer,
                             [path](std::string_view text) { return ParseUdpQueues(path, text); });
}

}  // namespace vitals::procfs
