#include "config/host_port.h"

#include <catch2/catch.hpp>

#include <string>

using vitals::config::HostPort;
using vitals::config::HostPortUse;
using vitals::config::ParseHostPort;

namespace {

constexpr HostPortUse kConnect = HostPortUse::kConnect;
constexpr HostPortUse kListen = HostPortUse::kListen;

HostPort Ok(std::string_view text, HostPortUse use) {
  std::string error;
  auto r = ParseHostPort(text, use, &error);
  INFO(text << ": " << error);
  REQUIRE(r);
  CHECK(error.empty());
  return *r;
}

// The error, which must end by quoting the text.
std::string Bad(std::string_view text, HostPortUse use) {
  std::string error;
  auto r = ParseHostPort(text, use, &error);
  INFO(text);
  REQUIRE_FALSE(r);
  CHECK_THAT(error, Catch::EndsWith(", got \"" + std::string(text) + "\""));
  return error;
}

}  // namespace

TEST_CASE("ParseHostPort: what both uses accept", "[config]") {
  for (HostPortUse use : {kConnect, kListen}) {
    HostPort v4 = Ok("127.0.0.1:9810", use);
    CHECK(v4.host == "127.0.0.1");
    CHECK(v4.port == 9810);
    CHECK(v4.ToString() == "127.0.0.1:9810");
    HostPort v6 = Ok("[::1]:6379", use);
    CHECK(v6.host == "::1");
    CHECK(v6.port == 6379);
    CHECK(v6.ToString() == "[::1]:6379");
    CHECK(Ok("[::]:1", use).host == "::");
    CHECK(Ok("0.0.0.0:65535", use).port == 65535);
    CHECK(Ok("10.0.0.1:080", use).port == 80);
  }
}

TEST_CASE("ParseHostPort: what both uses refuse, and why", "[config]") {
  for (HostPortUse use : {kConnect, kListen}) {
    for (const char* text : {"", "db", "127.0.0.1", "::1:80", "a:b:80"}) {
      CHECK_THAT(Bad(text, use), Catch::StartsWith("expected \"host:port\" (IPv6 as \"[::1]:port\")"));
    }
    for (const char* text : {"[::1]", "[::1]80", "[::1:80", "[::1]:"}) {
      CHECK_THAT(Bad(text, use), Catch::StartsWith(text == std::string("[::1]:")
                                                       ? "expected a port"
                                                       : "expected \"[ipv6]:port\""));
    }
    for (const char* text : {"[zz]:1", "[127.0.0.1]:80", "[]:80", "[fe80::1%lo]:80"}) {
      CHECK_THAT(Bad(text, use), Catch::StartsWith("expected an IPv6 address between the brackets"));
    }
    for (const char* text : {"127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1: 80",
                             "127.0.0.1:+80", "127.0.0.1:80x", "127.0.0.1:0x50",
                             "127.0.0.1:99999999999999999999"}) {
      CHECK_THAT(Bad(text, use), Catch::StartsWith("expected a port from"));
    }
  }
}

TEST_CASE("ParseHostPort: a probe connects to a named host and a port from 1", "[config]") {
  HostPort named = Ok("db.internal:5432", kConnect);
  CHECK(named.host == "db.internal");
  CHECK(named.port == 5432);
  CHECK(Ok("localhost:6379", kConnect).host == "localhost");  // resolved when the probe runs
  CHECK(Ok("300.1.1.1:80", kConnect).host == "300.1.1.1");     // a name to the resolver
  CHECK(Ok("h:1", kConnect).port == 1);
  CHECK_THAT(Bad("h:0", kConnect), Catch::StartsWith("expected a port from 1 to 65535"));
  CHECK_THAT(Bad(":80", kConnect), Catch::StartsWith("expected a host before \":port\""));
}

TEST_CASE("ParseHostPort: a listen address binds an IP literal, any port from 0", "[config]") {
  HostPort all = Ok(":9810", kListen);
  CHECK(all.host.empty());  // all interfaces
  CHECK(all.port == 9810);
  CHECK(all.ToString() == ":9810");
  CHECK(Ok("127.0.0.1:0", kListen).port == 0);  // the kernel picks a free port
  HostPort local = Ok("localhost:1", kListen);
  CHECK(local.host == "127.0.0.1");
  CHECK(local.port == 1);
  CHECK_THAT(Bad(":65536", kListen), Catch::StartsWith("expected a port from 0 to 65535"));
  for (const char* text : {"example.com:80", "1.2.3:80", "256.1.1.1:80", "300.1.1.1:9810",
                           "host:port", " 127.0.0.1:80"}) {
    CHECK_THAT(Bad(text, kListen),
               Catch::StartsWith("a listen address's host must be empty (all interfaces), an IPv4 "
                                 "address, [IPv6] or localhost"));
  }
}
