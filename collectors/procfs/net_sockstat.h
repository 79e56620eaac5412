#pragma once
// /proc/net/sockstat and /proc/net/sockstat6: socket counts per protocol,
// lines "TCP: inuse 4 orphan 0 tw 0 alloc 4 mem 0" (proc(5), sockstat), and
// in sockstat "sockets: used 18".

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "collectors/procfs/proc_fs.h"

namespace vitals::procfs {

struct SockstatValue {
  std::string_view key;  // "inuse", "orphan", "tw", "alloc", "mem", "memory", ...
  std::int64_t value;
};

struct SockstatProtocol {
  std::string_view name;  // "TCP", "UDP6", ...
  std::vector<SockstatValue> values;  // in line order
};

struct Sockstat {
  std::optional<std::int64_t> sockets_used;  // the "sockets: used N" line (IPv4 only)
  std::vector<SockstatProtocol> protocols;   // in file order
};

// `path` ("net/sockstat", "net/sockstat6") names the file in errors. The
// result views the text.
Result<Sockstat> ParseSockstat(std::string_view path, std::string_view text);
Result<Sockstat> ReadSockstat(const ProcFs& fs, std::string_view path, std::string& buffer);

}  // namespace vitals::procfs
