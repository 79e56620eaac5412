#include "agent/http/web_config.h"

#include <catch2/catch.hpp>

#include <string>

#include "config/config.h"
#include "tests/unit/config_problems.h"

using vitals::http::ClientAuth;
using vitals::http::ParseWebConfig;
using vitals::http::PathHasPrefix;
using vitals::http::TlsVersion;
using vitals::http::WebConfig;

namespace {

constexpr const char* kHash = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";

WebConfig Parse(const std::string& text) {
  return ParseWebConfig(text, "web.json", "/etc/vitals",
                        [](std::string_view) -> std::optional<std::string> { return "/env"; });
}

// Every problem as "pointer: message", one per line.
std::string Problems(const std::string& text) {
  return vitals::testing::ConfigProblemLines([&] { Parse(text); });
}

}  // namespace

TEST_CASE("ParseWebConfig: defaults and a full file", "[http][web_config]") {
  SECTION("empty object: plain HTTP, no users, protect-all default, default limits") {
    WebConfig c = Parse("{}");
    CHECK_FALSE(c.tls.has_value());
    CHECK(c.basic_auth_users.empty());
    CHECK(c.protected_paths == std::vector<std::string>{"/"});
    CHECK(c.limits.max_connections == 256);
    CHECK(c.limits.header_timeout == std::chrono::seconds(5));
  }
  SECTION("everything set; relative files resolve against the file's directory") {
    WebConfig c = Parse(std::string(R"({
      "tls_server_config": {"cert_file": "tls/server.crt", "key_file": "/abs/server.key",
        "client_ca_file": "${CA_DIR}/ca.crt", "client_auth_type": "RequireAndVerifyClientCert",
        "min_version": "TLS13"},
      "basic_auth_users": {"prometheus": ")") + kHash + R"("},
      "protected_paths": ["/metrics", "/health"],
      "limits": {"max_connections": 32, "header_timeout": "2s", "request_timeout": "3s",
                 "idle_timeout": "500ms", "max_header_bytes": 4096, "max_body_bytes": 10}
    })");
    REQUIRE(c.tls.has_value());
    CHECK(c.tls->cert_file == "/etc/vitals/tls/server.crt");
    CHECK(c.tls->key_file == "/abs/server.key");
    CHECK(c.tls->client_ca_file == "/env/ca.crt");
    CHECK(c.tls->client_auth == ClientAuth::kRequireAndVerifyClientCert);
    CHECK(c.tls->min_version == TlsVersion::kTls13);
    CHECK(c.basic_auth_users.at("prometheus") == kHash);  // '$' is not env expansion here
    CHECK(c.protected_paths == std::vector<std::string>{"/metrics", "/health"});
    CHECK(c.limits.max_connections == 32);
    CHECK(c.limits.idle_timeout == std::chrono::milliseconds(500));
    CHECK(c.limits.max_body_bytes == 10);
  }
}

TEST_CASE("ParseWebConfig: every mistake is reported with its JSON pointer", "[http][web_config]") {
  CHECK(Problems("[]") == "/: expected an object, got an array\n");
  CHECK(Problems("{\"tls\": {}}") == "/tls: unknown key\n");
  CHECK(Problems("{").rfind("/: invalid JSON", 0) == 0);
  CHECK(Problems(R"({"tls_server_config": {}})") ==
        "/tls_server_config/cert_file: missing required key\n"
        "/tls_server_config/key_file: missing required key\n");
  CHECK(Problems(R"({"tls_server_config": {"cert_file": "", "key_file": "k", "certfile": 1}})") ==
        "/tls_server_config/certfile: unknown key\n"
        "/tls_server_config/cert_file: expected a file path, got an empty string\n");
  CHECK(Problems(R"({"tls_server_config": {"cert_file": "c", "key_file": "k",
                     "min_version": "TLS11"}})") ==
        "/tls_server_config/min_version: TLS 1.0 and 1.1 are refused by OpenSSL 3 at its default "
        "security level; expected \"TLS12\" or \"TLS13\", got \"TLS11\"\n");
  CHECK(Problems(R"({"tls_server_config": {"cert_file": "c", "key_file": "k",
                     "client_auth_type": "Always"}})")
            .find("/tls_server_config/client_auth_type: expected one of NoClientCert") == 0);
  CHECK(Problems(R"({"tls_server_config": {"cert_file": "c", "key_file": "k",
                     "client_auth_type": "RequireAndVerifyClientCert"}})") ==
        "/tls_server_config/client_auth_type: RequireAndVerifyClientCert verifies client "
        "certificates and needs client_ca_file\n");
  CHECK(Problems(R"({"tls_server_config": {"cert_file": "c", "key_file": "k",
                     "client_ca_file": "ca"}})")
            .find("/tls_server_config/client_ca_file: client_ca_file is set but") == 0);
  CHECK(Problems(R"({"basic_auth_users": {"a:b": "x", "u": 5, "v": "plain"}})") ==
        "/basic_auth_users/a:b: a user name must be non-empty and must not contain ':' (basic "
        "auth splits on it)\n"
        "/basic_auth_users/u: expected a bcrypt hash string, got 5\n"
        "/basic_auth_users/v: expected a bcrypt hash like \"$2y$10$...\" (htpasswd -nbBC 10 user "
        "pass), got 5 characters instead of 60\n");
  CHECK(Problems(R"({"protected_paths": ["metrics", 3]})") ==
        "/protected_paths/0: expected a path starting with '/', got \"metrics\"\n"
        "/protected_paths/1: expected a path starting with '/', got 3\n"
        "/protected_paths: protected_paths needs basic_auth_users\n");
  CHECK(Problems(R"({"limits": {"max_connections": 0, "header_timeout": "1ms",
                     "idle_timeout": 5, "max_header_bytes": 10, "burst": 1}})") ==
        "/limits/burst: unknown key\n"
        "/limits/max_connections: must be at least 1, got 0\n"
        "/limits/max_header_bytes: must be at least 1024, got 10\n"
        "/limits/header_timeout: expected a duration from 100ms to 1h, got \"1ms\"\n"
        "/limits/idle_timeout: expected a duration like \"5s\", \"500ms\" or \"1m30s\", got 5\n");
}

TEST_CASE("PathHasPrefix: whole path segments only", "[http][web_config]") {
  CHECK(PathHasPrefix("/metrics", "/metrics"));
  CHECK(PathHasPrefix("/metrics/x", "/metrics"));
  CHECK_FALSE(PathHasPrefix("/metricsfoo", "/metrics"));
  CHECK_FALSE(PathHasPrefix("/", "/metrics"));
  CHECK(PathHasPrefix("/anything", "/"));
  CHECK(PathHasPrefix("/-/reload", "/-/reload"));
}
