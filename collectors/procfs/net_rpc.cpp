#include "collectors/procfs/net_rpc.h"

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {

constexpr std::string_view kClientPath = "net/rpc/nfs";
constexpr std::string_view kServerPath = "net/rpc/nfsd";

// One line: its key and its values. `values` is reused from line to line.
struct Line {
  std::string_view text;
  std::string_view key;
  std::vector<std::uint64_t>* values;
};

// Reads the lines of `text`, calling `on_line` for each; `max_values` (0: no
// limit) is how many values of a line are parsed, as procfs parses only the
// first two of nfsd's "th" line (per key, from `limit(key)`).
template <class Limit, class OnLine>
Result<void> ForEachLine(std::string_view path, std::string_view text, Limit limit,
                         OnLine on_line) {
  std::vector<std::uint64_t> values;
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    detail::Fields fields(*line);
    auto bad = [&](std::string_view why) {
      return ParseError(std::string(path), std::string(why) + ": \"" + std::string(*line) + "\"");
    };
    auto key = fields.Next();
    values.clear();
    const std::size_t max_values = key ? limit(*key) : 0;
    bool any = false;
    while (auto field = fields.Next()) {
      any = true;
      if (max_values != 0 && values.size() == max_values) {
        break;
      }
      auto value = detail::ToU64(*field);
      if (!value) {
        return bad("\"" + std::string(*field) + "\" is not an unsigned integer");
      }
      values.push_back(*value);
    }
    if (!any) {
      return bad("expected a key and at least one value");
    }
    if (max_values != 0 && values.size() < max_values) {
      return bad("expected at least " + std::to_string(max_values) + " values");
    }
    if (auto r = on_line(*key, values); !r) {
      return ParseError(std::string(path),
                        r.error().detail + ": \"" + std::string(*line) + "\"");
    }
  }
  return {};
}

Error Invalid(std::string_view key, std::string_view expected) {
  return ParseError("", "invalid " + std::string(key) + " line: expected " + std::string(expected));
}

// A line of exactly N values into `out`.
template <std::size_t N>
Result<void> Exactly(std::string_view key, std::span<const std::uint64_t> values,
                     std::array<std::uint64_t*, N> out) {
  if (values.size() != N) {
    return Invalid(key, std::to_string(N) + " values");
  }
  for (std::size_t i = 0; i < N; ++i) {
    *out[i] = values[i];
  }
  return {};
}

// A "procN <count> v1 ... v<count>" line: the count must match, be at least
// `min_count` (and at most `max_count`, 0: any); values past the array are
// ignored and missing ones stay 0.
template <std::size_t N>
Result<void> Procedures(std::string_view key, std::span<const std::uint64_t> values,
                        std::size_t min_count, std::size_t max_count,
                        std::array<std::uint64_t, N>& out) {
  const std::uint64_t count = values[0];
  if (count != values.size() - 1 || count < min_count || (max_count != 0 && count > max_count)) {
    return Invalid(key, "a count" +
                            (max_count == min_count
                                 ? " of " + std::to_string(min_count)
                                 : (min_count > 0 ? " of at least " + std::to_string(min_count)
                                                  : std::string())) +
                            " followed by that many values");
  }
  out.fill(0);
  std::copy_n(values.begin() + 1, std::min<std::size_t>(N, values.size() - 1), out.begin());
  return {};
}

Result<void> Network(std::string_view key, std::span<const std::uint64_t> v, NfsNetwork& n) {
  return Exactly<4>(key, v, {&n.packets, &n.udp, &n.tcp, &n.tcp_connections});
}

Error UnknownKey(std::string_view key) {
  return ParseError("", "unknown key \"" + std::string(key) + "\"");
}

}  // namespace

Result<NfsClientStats> ParseNfsClientStats(std::string_view text) {
  NfsClientStats s;
  auto r = ForEachLine(
      kClientPath, text, [](std::string_view) { return std::size_t{0}; },
      [&s](std::string_view key, std::span<const std::uint64_t> v) -> Result<void> {
        if (key == "net") {
          return Network(key, v, s.network);
        }
        if (key == "rpc") {
          return Exactly<3>(key, v, {&s.rpc_calls, &s.rpc_retransmissions, &s.rpc_auth_refreshes});
        }
        if (key == "proc2") {
          return Procedures(key, v, 18, 0, s.v2);
        }
        if (key == "proc3") {
          return Procedures(key, v, 22, 0, s.v3);
        }
        if (key == "proc4") {
          return Procedures(key, v, 0, 0, s.v4);
        }
        return UnknownKey(key);
      });
  if (!r) {
    return r.error();
  }
  return s;
}

Result<NfsServerStats> ParseNfsServerStats(std::string_view text) {
  NfsServerStats s;
  auto r = ForEachLine(
      kServerPath, text,
      // "th <threads> <fullcnt> <histogram...>": the histogram (gone in 4.x)
      // is not read.
      [](std::string_view key) { return key == "th" ? std::size_t{2} : std::size_t{0}; },
      [&s](std::string_view key, std::span<const std::uint64_t> v) -> Result<void> {
        std::uint64_t unused = 0;
        if (key == "rc") {
          return Exactly<3>(key, v, {&s.reply_cache_hits, &s.reply_cache_misses,
                                     &s.reply_cache_nocache});
        }
        if (key == "fh") {
          // Only the first (stale) is still counted by the kernel.
          return Exactly<5>(key, v, {&s.file_handles_stale, &unused, &unused, &unused, &unused});
        }
        if (key == "io") {
          return Exactly<2>(key, v, {&s.io_read, &s.io_write});
        }
        if (key == "th") {
          return Exactly<2>(key, v, {&s.threads, &unused});
        }
        if (key == "ra") {
          // Cache size, a 10-bucket histogram of hit depths, not found.
          if (v.size() != 12) {
            return Invalid(key, "12 values");
          }
          s.read_ahead_cache_size = v[0];
          s.read_ahead_not_found = v[11];
          return {};
        }
        if (key == "net") {
          return Network(key, v, s.network);
        }
        if (key == "rpc") {
          return Exactly<5>(key, v, {&s.rpc_calls, &unused, &s.rpc_bad_format, &s.rpc_bad_auth,
                                     &s.rpc_bad_client});
        }
        if (key == "proc2") {
          return Procedures(key, v, 18, 0, s.v2);
        }
        if (key == "proc3") {
          return Procedures(key, v, 22, 0, s.v3);
        }
        if (key == "proc4") {
          std::array<std::uint64_t, 2> null_compound{};
          return Procedures(key, v, 2, 2, null_compound);
        }
        if (key == "proc4ops") {
          return Procedures(key, v, 39, 0, s.v4_ops);
        }
        return UnknownKey(key);
      });
  if (!r) {
    return r.error();
  }
  return s;
}

Result<NfsClientStats> ReadNfsClientStats(const ProcFs& fs, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto(kClientPath, buffer), buffer, ParseNfsClientStats);
}

Result<NfsServerStats> ReadNfsServerStats(const ProcFs& fs, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto(kServerPath, buffer), buffer, ParseNfsServerStats);
}

}  // namespace vitals::procfs
