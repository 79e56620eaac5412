#include "collectors/procfs/net_snmp.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

Result<std::vector<SnmpCounter>> ParseSnmpPairs(std::string_view path, std::string_view text) {
  std::vector<SnmpCounter> out;
  out.reserve(256);
  detail::Lines lines(text);
  while (auto header = lines.Next()) {
    if (detail::TrimSpace(*header).empty()) {
      continue;
    }
    auto values = lines.Next();
    detail::Fields names(*header);
    detail::Fields numbers(values.value_or(""));
    std::string_view protocol = names.Next().value_or("");
    auto bad = [&](std::string_view why) {
      return ParseError(std::string(path), "protocol \"" + std::string(protocol) + "\": " +
                                               std::string(why));
    };
    if (protocol.size() < 2 || protocol.back() != ':') {
      return bad("expected a header line \"Protocol: Name ...\", got \"" + std::string(*header) + "\"");
    }
    if (numbers.Next() != protocol) {
      return bad("the header is not followed by its line of values");
    }
    protocol.remove_suffix(1);
    for (;;) {
      auto name = names.Next();
      auto value = numbers.Next();
      if (!name && !value) {
        break;
      }
      if (!name || !value) {
        return bad("the header and the values have different column counts");
      }
      out.push_back({protocol, *name, *value});
    }
  }
  return out;
}

Result<std::vector<SnmpCounter>> ParseSnmp6(std::string_view text) {
  std::vector<SnmpCounter> out;
  out.reserve(128);
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    detail::Fields fields(*line);
    auto key = fields.Next();
    auto value = fields.Next();
    if (!key || !value) {
      continue;  // as node_exporter: a line without a value is not a counter
    }
    std::size_t six = key->find('6');
    if (six == std::string_view::npos) {
      continue;  // not "<Protocol>6<Name>"
    }
    out.push_back({key->substr(0, six + 1), key->substr(six + 1), *value});
  }
  return out;
}

}  // namespace vitals::procfs
