#pragma once
// The protocol counters of /proc/net/netstat and /proc/net/snmp: pairs of
// lines, a header naming the counters and a line of values, both starting
// with the protocol ("Tcp: ActiveOpens PassiveOpens ..." then
// "Tcp: 104005 103968 ..."); and /proc/net/snmp6: one "Ip6InReceives 123"
// per line (the protocol is the name up to its first '6').
// Values are matched to names by the header, never by position, so a kernel
// that adds or reorders counters is read right.

#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct SnmpCounter {
  std::string_view protocol;  // "Tcp", "TcpExt", "Ip6", ...
  std::string_view name;      // "ActiveOpens", "InReceives", ...
  std::string_view value;     // as written: an integer, possibly negative (Tcp MaxConn -1)
};

// Counters in file order, viewing the text. `path` names the file in errors:
// a value line whose protocol or column count differs from its header's, or
// a header without a value line.
Result<std::vector<SnmpCounter>> ParseSnmpPairs(std::string_view path, std::string_view text);
Result<std::vector<SnmpCounter>> ParseSnmp6(std::string_view text);

}  // namespace vitals::procfs
