#pragma once
// What the probe check kinds' keys share (DESIGN.md section 4): host:port
// addresses, secrets, TLS as a client, expected HTTP statuses, and their
// readers. Each kind reads its own keys in its unit (agent/probes/*_check.cpp)
// with these.
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
#include <vector>

#include "config/host_port.h"
#include "config/reader.h"

namespace vitals::config {

struct Secret {
  std::optional<std::string> value;  // "password", expanded
  std::optional<std::string> file;   // "password_file"
  bool empty() const { return !value && !file; }
};

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

// Readers of the keys several probe kinds share, for their KindSpec readers.
// Each reports its mistakes on `r` with the key's pointer.
std::optional<HostPort> ReadAddress(const Reader& r, std::string_view key);
Secret ReadSecret(const Reader& r);  // "password" and "password_file"
// "tls": with `has_enabled`, {"enabled": false} turns it off (tcp, redis);
// without, TLS is decided elsewhere (an https URL, tls_expiry).
TlsClientConfig ReadTls(const Reader& parent, bool has_enabled);
std::vector<std::string> ReadStrings(const Reader& r, std::string_view key);

}  // namespace vitals::config
