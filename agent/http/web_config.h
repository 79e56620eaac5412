#pragma once
// The web configuration: TLS, basic auth and connection limits, read from the
// separate JSON file named by --web.config.file. The shape follows
// exporter-toolkit's web-config.yml, translated to JSON, so that users of
// node_exporter recognise it:
//
//   {
//     "tls_server_config": {
//       "cert_file": "/etc/vitals/tls/server.crt",
//       "key_file": "/etc/vitals/tls/server.key",
//       "client_ca_file": "/etc/vitals/tls/ca.crt",
//       "client_auth_type": "RequireAndVerifyClientCert",
//       "min_version": "TLS12"
//     },
//     "basic_auth_users": {"prometheus": "$2y$10$..."},
//     "protected_paths": ["/metrics", "/health"],
//     "limits": {"max_connections": 256, "header_timeout": "5s",
//                "request_timeout": "10s", "idle_timeout": "5s",
//                "max_header_bytes": 8192, "max_body_bytes": 65536}
//   }
//
// Every key is optional; no file means plain HTTP, no auth, default limits.
// Parsing is pure (no file is opened): problems are reported with their JSON
// pointer through config::ConfigError, all of them at once.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/reader.h"

namespace vitals::http {

// exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType).
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,           // asked for, not verified, not required
  kRequireAnyClientCert,        // required, not verified
  kVerifyClientCertIfGiven,     // verified against client_ca_file when sent
  kRequireAndVerifyClientCert,  // required and verified
};
std::string_view ClientAuthName(ClientAuth auth);

enum class TlsVersion { kTls12, kTls13 };
std::string_view TlsVersionName(TlsVersion version);

struct TlsServerConfig {
  std::filesystem::path cert_file;  // PEM, the server certificate then its chain
  std::filesystem::path key_file;   // PEM, unencrypted
  std::filesystem::path client_ca_file;  // empty: no client certificate verification
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  TlsVersion min_version = TlsVersion::kTls12;

  bool operator==(const TlsServerConfig&) const = default;
};

struct Limits {
  // Connections the agent holds at once. When full, the one that has waited
  // longest for a request head (new, in its TLS handshake, or keep-alive) is
  // closed to make room; when every one is busy with a request, the newcomer.
  std::uint32_t max_connections = 256;
  // How long a client may take to send a whole request head: from the
  // accept for a new connection (TLS handshake included), from the first
  // byte of the next request on a keep-alive one. A partial head then gets
  // 408; a silent new connection is closed.
  std::chrono::milliseconds header_timeout{5'000};
  // Reading a request's body, and writing its answer, each within this: a
  // slow body gets 408, a client that does not read its answer is closed.
  std::chrono::milliseconds request_timeout{10'000};
  // A keep-alive connection with no next request is closed after it.
  std::chrono::milliseconds idle_timeout{5'000};
  std::uint32_t max_header_bytes = 8'192;  // request line and headers; above it: 431
  std::uint64_t max_body_bytes = 65'536;   // Content-Length or chunked body above it: 413

  bool operator==(const Limits&) const = default;
};

struct WebConfig {
  std::optional<TlsServerConfig> tls;
  std::map<std::string, std::string, std::less<>> basic_auth_users;  // user -> bcrypt hash
  // Path prefixes that need basic auth when users are configured: "/metrics"
  // protects /metrics and /metrics/...; "/" protects everything (the default)
  // but the heartbeat endpoints, which have tokens of their own and need
  // basic auth only where a longer prefix names them ("/ping", "/heartbeat").
  std::vector<std::string> protected_paths = {"/"};
  Limits limits;

  bool operator==(const WebConfig&) const = default;
};

// Paths that are never served without valid credentials, whatever
// protected_paths says: diagnostics and lifecycle endpoints. With no
// basic_auth_users they answer 403. (Heartbeats authenticate with their own
// tokens: see Route::own_token.)
inline constexpr std::string_view kAlwaysProtectedPrefixes[] = {"/debug", "/-/reload"};

// True when `path` is `prefix` or lies under it ("/" covers every path).
bool PathHasPrefix(std::string_view path, std::string_view prefix);

// Parses and validates `text`; `source` names it in messages. Throws
// config::ConfigError with every problem. Relative file paths are resolved
// against `base_dir` (the web config file's directory).
WebConfig ParseWebConfig(std::string_view text, std::string_view source,
                         const std::filesystem::path& base_dir, const config::EnvLookup& env);
// Reads the file at `path` and parses it with the process environment.
WebConfig LoadWebConfig(const std::filesystem::path& path);

}  // namespace vitals::http
