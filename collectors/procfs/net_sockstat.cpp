#include "collectors/procfs/net_sockstat.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

Result<Sockstat> ParseSockstat(std::string_view path, std::string_view text) {
  Sockstat out;
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    auto bad = [&](std::string_view why) {
      return ParseError(std::string(path), std::string(why) + ": \"" + std::string(*line) + "\"");
    };
    detail::Fields fields(*line);
    std::string_view protocol = fields.Next().value_or("");
    if (protocol.empty()) {
      continue;  // a blank line
    }
    if (protocol.size() < 2 || protocol.back() != ':') {
      return bad("expected \"PROTOCOL: key value ...\"");
    }
    protocol.remove_suffix(1);
    SockstatProtocol entry{protocol, {}};
    while (auto key = fields.Next()) {
      auto number = fields.Next();
      auto value = number ? detail::ToI64(*number) : std::nullopt;
      if (!value) {
        return bad("expected key value pairs of integers");
      }
      entry.values.push_back({*key, *value});
    }
    if (entry.values.empty()) {
      return bad("expected at least one key value pair");
    }
    if (protocol == "sockets") {
      for (const auto& kv : entry.values) {
        if (kv.key == "used") {
          out.sockets_used = kv.value;
        }
      }
      continue;
    }
    out.protocols.push_back(std::move(entry));
  }
  return out;
}

Result<Sockstat> ReadSockstat(const ProcFs& fs, std::string_view path, std::string& buffer) {
  return ParseReadViewing(fs.ReadInto(path, buffer), buffer,
                        [path](std::string_view text) { return ParseSockstat(path, text); });
}

}  // namespace vitals::procfs
