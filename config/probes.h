#pragma once
// The keys of the probe check kinds (DESIGN.md §4, issue 5): tcp, http,
// postgres, redis, dns, exec, tls_expiry, file_age. A probe is one entry of
// the "checks" section; the section reads the keys every check has (name,
// kind, tags, interval, timeout, ...) and hands the entry to ReadProbe for
// the keys of its kind. Plain data: agent/probes builds the checks.
//
// Secrets: a password is either "password" (with ${ENV} expansion, so the
// file itself need not hold it) or "password_file" (read at every run, so a
// rotated secret is picked up without a reload). The value never leaves the
// probe: not in /health, /metrics, logs or error messages.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "config/reader.h"

namespace vitals::config {

struct Secret {
  std::optional<std::string> value;  // "password", expanded
  std::optional<std::string> file;   // "password_file"
  bool empty() const { return !value && !file; }
};

// "host:port", "[::1]:port". Hosts are names or literal addresses.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  std::string ToString() const;  // "[::1]:6379" for IPv6 literals
};
// nullopt with `error` set on a malformed address.
std::optional<HostPort> ParseHostPort(std::string_view text, std::string* error);

// TLS as a client: on/off, trust, client certificate, name to verify.
struct TlsClientConfig {
  bool enabled = false;
  std::string ca_file;      // empty: the system's trust store
  std::string cert_file;    // client certificate (PEM), with key_file
  std::string key_file;
  std::string server_name;  // SNI and the name verified; empty: the host
  bool insecure_skip_verify = false;
};

// Inclusive ranges of HTTP status codes, from "expect_status":
// [200, "2xx", "200-204"]. Empty means 200-299.
struct StatusRange {
  int low = 200;
  int high = 299;
  bool operator==(const StatusRange&) const = default;
};
// One element: "2xx", "200-204" or "204" (an integer is read by the caller).
std::optional<StatusRange> ParseStatusRange(std::string_view text, std::string* error);
bool StatusMatches(const std::vector<StatusRange>& ranges, int status);

struct TcpProbeConfig {
  HostPort address;
  std::string send;    // written after connecting, if not empty
  std::string expect;  // a substring the answer must contain, if not empty
  TlsClientConfig tls;
};

struct HttpProbeConfig {
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<StatusRange> expect_status;  // empty: 2xx
  std::string body_regex;                  // RE2 syntax, searched in the body
  bool follow_redirects = true;
  std::uint32_t max_redirects = 10;
  TlsClientConfig tls;  // enabled is ignored: the URL's scheme decides
  std::string username;  // basic auth, with password
  Secret password;
  std::optional<std::chrono::milliseconds> degraded_latency;  // slower: Degraded
};

struct PostgresProbeConfig {
  std::string dsn;  // libpq connection string or URI; may hold a password
  Secret password;
  std::string query = "SELECT 1";
};

struct RedisProbeConfig {
  HostPort address;
  std::string username;  // Redis 6 ACL user; empty: AUTH <password> only
  Secret password;
  TlsClientConfig tls;
};

struct DnsProbeConfig {
  std::string name;  // "query_name" ("name" is the check's)
  std::string record_type = "A";  // A or AAAA
  std::optional<HostPort> server;  // empty: /etc/resolv.conf
  std::vector<std::string> expect_addresses;  // each must be in the answer
};

struct ExecProbeConfig {
  std::vector<std::string> command;  // argv, no shell; argv[0] searched in PATH
  std::uint64_t max_output_bytes = 4096;
};

struct TlsExpiryProbeConfig {
  HostPort address;
  TlsClientConfig tls;  // enabled is implied
  std::chrono::milliseconds degraded_before{std::chrono::hours(24 * 30)};
  std::chrono::milliseconds unhealthy_before{std::chrono::hours(24 * 7)};
};

struct FileAgeProbeConfig {
  std::string path;
  std::chrono::milliseconds max_age{0};                      // older: Unhealthy
  std::optional<std::chrono::milliseconds> degraded_age;  // older: Degraded
};

using ProbeConfig =
    std::variant<TcpProbeConfig, HttpProbeConfig, PostgresProbeConfig, RedisProbeConfig,
                 DnsProbeConfig, ExecProbeConfig, TlsExpiryProbeConfig, FileAgeProbeConfig>;

// "tcp", "http", "postgres", "redis", "dns", "exec", "tls_expiry", "file_age".
bool IsProbeKind(std::string_view kind);
std::span<const std::string_view> ProbeKinds();

// Reads the keys of probe `kind` from the check object `r` and reports every
// key that is neither one of them nor in `common_keys` (the keys the checks
// section reads itself) as unknown. nullopt when anything was wrong (all of
// it reported).
std::optional<ProbeConfig> ReadProbe(const Reader& r, std::string_view kind,
                                     std::span<const std::string_view> common_keys);

}  // namespace vitals::config
