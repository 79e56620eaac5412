#include "config/probes.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace vitals::config {

namespace {

constexpr std::array<std::string_view, 8> kKinds = {"tcp",  "http", "postgres",   "redis",
                                                    "dns", "exec", "tls_expiry", "file_age"};

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Reports keys of `r` that are in neither list.
void RejectUnknown(const Reader& r, std::span<const std::string_view> a,
                   std::span<const std::string_view> b) {
  for (const auto& [key, unused] : r.value().items()) {
    const bool known = std::find(a.begin(), a.end(), key) != a.end() ||
                       std::find(b.begin(), b.end(), key) != b.end();
    if (!known) {
      r.FailAt(key, "unknown key");
    }
  }
}

std::optional<HostPort> ReadAddress(const Reader& r, std::string_view key) {
  auto text = r.String(key, true);
  if (!text) {
    return std::nullopt;
  }
  std::string error;
  auto hp = ParseHostPort(*text, &error);
  if (!hp) {
    r.At(key).Fail(error);
  }
  return hp;
}

Secret ReadSecret(const Reader& r) {
  Secret s;
  s.value = r.String("password");
  s.file = r.String("password_file");
  if (s.value && s.file) {
    r.FailAt("password_file", "give \"password\" or \"password_file\", not both");
  }
  if (s.file && s.file->empty()) {
    r.FailAt("password_file", "expected a path, got an empty string");
  }
  return s;
}

TlsClientConfig ReadTls(const Reader& parent, bool has_enabled) {
  TlsClientConfig tls;
  if (!parent.Has("tls")) {
    return tls;
  }
  Reader r = parent.At("tls");
  bool ok = has_enabled ? r.Object({"enabled", "ca_file", "cert_file", "key_file", "server_name",
                                    "insecure_skip_verify"})
                        : r.Object({"ca_file", "cert_file", "key_file", "server_name",
                                    "insecure_skip_verify"});
  if (!ok) {
    return tls;
  }
  tls.enabled = has_enabled ? r.Bool("enabled").value_or(true) : true;
  tls.ca_file = r.String("ca_file").value_or("");
  tls.cert_file = r.String("cert_file").value_or("");
  tls.key_file = r.String("key_file").value_or("");
  tls.server_name = r.String("server_name").value_or("");
  tls.insecure_skip_verify = r.Bool("insecure_skip_verify").value_or(false);
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    r.Fail("give both \"cert_file\" and \"key_file\" for a client certificate, or neither");
  }
  return tls;
}

std::vector<std::string> ReadStrings(const Reader& r, std::string_view key) {
  std::vector<std::string> out;
  r.Array(key, [&](const Reader& element) {
    if (auto s = element.StringValue()) {
      out.push_back(std::move(*s));
    }
  });
  return out;
}

TcpProbeConfig ReadTcp(const Reader& r) {
  TcpProbeConfig c;
  c.address = ReadAddress(r, "address").value_or(HostPort{});
  c.send = r.String("send").value_or("");
  c.expect = r.String("expect").value_or("");
  c.tls = ReadTls(r, true);
  return c;
}

HttpProbeConfig ReadHttp(const Reader& r) {
  HttpProbeConfig c;
  if (auto url = r.String("url", true)) {
    c.url = *url;
    if (c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) {
      r.At("url").Fail("expected an http:// or https:// URL, got " + Describe(r.At("url").value()));
    }
  }
  if (auto method = r.String("method")) {
    const bool token = !method->empty() && std::all_of(method->begin(), method->end(), [](char ch) {
      return ch >= 'A' && ch <= 'Z';
    });
    if (!token) {
      r.At("method").Fail("expected an HTTP method in capitals like \"GET\", got " +
                          Describe(r.At("method").value()));
    }
    c.method = *method;
  }
  if (r.Has("headers")) {
    Reader h = r.At("headers");
    if (!h.value().is_object()) {
      h.Fail("expected an object of header names to values, got " + Describe(h.value()));
    } else {
      for (const auto& [name, unused] : h.value().items()) {
        if (auto value = h.String(name)) {
          c.headers.emplace_back(name, *value);
        }
      }
    }
  }
  c.body = r.String("body").value_or("");
  if (r.Has("expect_status")) {
    Reader list = r.At("expect_status");
    if (!list.value().is_array() || list.value().empty()) {
      list.Fail("expected a non-empty array like [200, \"2xx\", \"300-308\"], got " +
                Describe(list.value()));
    }
    r.Array("expect_status", [&](const Reader& e) {
      std::string error;
      std::optional<StatusRange> range;
      if (e.value().is_number_integer()) {
        range = ParseStatusRange(std::to_string(e.value().get<std::int64_t>()), &error);
      } else if (e.value().is_string()) {
        range = ParseStatusRange(e.value().get<std::string>(), &error);
      } else {
        error = "expected a status code like 200, \"2xx\" or \"200-204\", got " +
                Describe(e.value());
      }
      if (range) {
        c.expect_status.push_back(*range);
      } else {
        e.Fail(error);
      }
    });
  }
  if (auto re = r.String("body_regex")) {
    RE2 compiled(*re, RE2::Quiet);
    if (!compiled.ok()) {
      r.At("body_regex").Fail("invalid regular expression: " + compiled.error());
    }
    c.body_regex = *re;
  }
  c.follow_redirects = r.Bool("follow_redirects").value_or(true);
  c.max_redirects = static_cast<std::uint32_t>(r.Uint("max_redirects", 100).value_or(10));
  c.tls = ReadTls(r, false);
  if (!c.tls.server_name.empty()) {
    r.At("tls").FailAt("server_name", "not used by http: the URL's host is the name verified");
  }
  c.username = r.String("username").value_or("");
  c.password = ReadSecret(r);
  if (!c.password.empty() && c.username.empty()) {
    r.FailAt("username", "missing: a password is for basic auth, which needs a username");
  }
  c.degraded_latency = r.Duration("degraded_latency");
  return c;
}

PostgresProbeConfig ReadPostgres(const Reader& r) {
  PostgresProbeConfig c;
  c.dsn = r.String("dsn", true).value_or("");
  c.password = ReadSecret(r);
  if (auto q = r.String("query")) {
    if (q->empty()) {
      r.At("query").Fail("expected an SQL query, got an empty string");
    }
    c.query = *q;
  }
  return c;
}

RedisProbeConfig ReadRedis(const Reader& r) {
  RedisProbeConfig c;
  c.address = ReadAddress(r, "address").value_or(HostPort{});
  c.username = r.String("username").value_or("");
  c.password = ReadSecret(r);
  if (!c.username.empty() && c.password.empty()) {
    r.FailAt("password", "missing: AUTH with a username needs a password");
  }
  c.tls = ReadTls(r, true);
  return c;
}

DnsProbeConfig ReadDns(const Reader& r) {
  DnsProbeConfig c;
  c.name = r.String("query_name", true).value_or("");
  if (auto type = r.String("record_type")) {
    if (*type != "A" && *type != "AAAA") {
      r.At("record_type").Fail("expected \"A\" or \"AAAA\", got " +
                               Describe(r.At("record_type").value()));
    }
    c.record_type = *type;
  }
  if (r.Has("server")) {
    c.server = ReadAddress(r, "server");
  }
  std::size_t i = 0;
  for (const std::string& address : ReadStrings(r, "expect_addresses")) {
    unsigned char buf[16];
    const int family = c.record_type == "AAAA" ? AF_INET6 : AF_INET;
    if (inet_pton(family, address.c_str(), buf) != 1) {
      r.At("expect_addresses")
          .FailAt(std::to_string(i), "expected an IPv" + std::string(family == AF_INET ? "4" : "6") +
                                         " address for record_type " + c.record_type + ", got \"" +
                                         address + "\"");
    }
    c.expect_addresses.push_back(address);
    ++i;
  }
  return c;
}

ExecProbeConfig ReadExec(const Reader& r) {
  ExecProbeConfig c;
  if (!r.Has("command")) {
    r.FailAt("command", "missing required key");
  } else if (!r.At("command").value().is_array() || r.At("command").value().empty()) {
    r.At("command").Fail("expected a non-empty array like [\"/usr/lib/nagios/plugins/check_disk\", "
                         "\"-w\", \"10%\"] (no shell), got " +
                         Describe(r.At("command").value()));
  } else {
    c.command = ReadStrings(r, "command");
    if (!c.command.empty() && c.command[0].empty()) {
      r.At("command").FailAt("0", "expected a program, got an empty string");
    }
  }
  if (auto max = r.Uint("max_output_bytes", 1 << 20)) {
    if (*max == 0) {
      r.At("max_output_bytes").Fail("expected an integer from 1 to 1048576, got 0");
    }
    c.max_output_bytes = *max;
  }
  return c;
}

TlsExpiryProbeConfig ReadTlsExpiry(const Reader& r) {
  TlsExpiryProbeConfig c;
  c.address = ReadAddress(r, "address").value_or(HostPort{});
  c.tls = ReadTls(r, false);
  c.tls.enabled = true;
  c.degraded_before = r.Duration("degraded_before").value_or(c.degraded_before);
  c.unhealthy_before = r.Duration("unhealthy_before").value_or(c.unhealthy_before);
  if (c.degraded_before < c.unhealthy_before) {
    r.FailAt("degraded_before", "must not be shorter than unhealthy_before (Degraded comes first)");
  }
  return c;
}

FileAgeProbeConfig ReadFileAge(const Reader& r) {
  FileAgeProbeConfig c;
  c.path = r.String("path", true).value_or("");
  c.max_age = r.Duration("max_age", true).value_or(c.max_age);
  c.degraded_age = r.Duration("degraded_age");
  if (c.degraded_age && *c.degraded_age > c.max_age) {
    r.FailAt("degraded_age", "must not be longer than max_age (Degraded comes first)");
  }
  return c;
}

struct KindKeys {
  std::string_view kind;
  std::vector<std::string_view> keys;
};

const std::vector<KindKeys>& AllKeys() {
  static const std::vector<KindKeys> keys = {
      {"tcp", {"address", "send", "expect", "tls"}},
      {"http",
       {"url", "method", "headers", "body", "expect_status", "body_regex", "follow_redirects",
        "max_redirects", "tls", "username", "password", "password_file", "degraded_latency"}},
      {"postgres", {"dsn", "password", "password_file", "query"}},
      {"redis", {"address", "username", "password", "password_file", "tls"}},
      {"dns", {"query_name", "record_type", "server", "expect_addresses"}},
      {"exec", {"command", "max_output_bytes"}},
      {"tls_expiry", {"address", "tls", "degraded_before", "unhealthy_before"}},
      {"file_age", {"path", "max_age", "degraded_age"}},
  };
  return keys;
}

}  // namespace

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

std::optional<HostPort> ParseHostPort(std::string_view text, std::string* error) {
  HostPort hp;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      *error = "expected \"[ipv6]:port\", got \"" + std::string(text) + "\"";
      return std::nullopt;
    }
    hp.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      *error = "expected \"host:port\" (IPv6 as \"[::1]:port\"), got \"" + std::string(text) + "\"";
      return std::nullopt;
    }
    hp.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  auto number = ParseInt(port);
  if (hp.host.empty() || !number || *number < 1 || *number > 65535) {
    *error = "expected \"host:port\" with a port from 1 to 65535, got \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  hp.port = static_cast<std::uint16_t>(*number);
  return hp;
}

std::optional<StatusRange> ParseStatusRange(std::string_view text, std::string* error) {
  auto bad = [&]() -> std::optional<StatusRange> {
    *error = "expected a status code like 200, \"2xx\" or \"200-204\" (100 to 599), got \"" +
             std::string(text) + "\"";
    return std::nullopt;
  };
  StatusRange range;
  if (text.size() == 3 && text[1] == 'x' && text[2] == 'x' && text[0] >= '1' && text[0] <= '5') {
    range.low = (text[0] - '0') * 100;
    range.high = range.low + 99;
    return range;
  }
  const std::size_t dash = text.find('-');
  auto low = ParseInt(text.substr(0, dash));
  auto high = dash == std::string_view::npos ? low : ParseInt(text.substr(dash + 1));
  if (!low || !high || *low < 100 || *high > 599 || *low > *high) {
    return bad();
  }
  range.low = *low;
  range.high = *high;
  return range;
}

bool StatusMatches(const std::vector<StatusRange>& ranges, int status) {
  if (ranges.empty()) {
    return status >= 200 && status <= 299;
  }
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const StatusRange& r) { return status >= r.low && status <= r.high; });
}

std::span<const std::string_view> ProbeKinds() { return kKinds; }

bool IsProbeKind(std::string_view kind) {
  return std::find(kKinds.begin(), kKinds.end(), kind) != kKinds.end();
}

std::optional<ProbeConfig> ReadProbe(const Reader& r, std::string_view kind,
                                     std::span<const std::string_view> common_keys) {
  if (!r.value().is_object()) {
    r.Fail("expected an object, got " + Describe(r.value()));
    return std::nullopt;
  }
  const auto& all = AllKeys();
  auto keys = std::find_if(all.begin(), all.end(), [&](const KindKeys& k) { return k.kind == kind; });
  if (keys == all.end()) {
    r.FailAt("kind", "\"" + std::string(kind) + "\" is not a probe kind");
    return std::nullopt;
  }
  const std::size_t before = r.problem_count();
  RejectUnknown(r, keys->keys, common_keys);
  ProbeConfig out;
  if (kind == "tcp") {
    out = ReadTcp(r);
  } else if (kind == "http") {
    out = ReadHttp(r);
  } else if (kind == "postgres") {
    out = ReadPostgres(r);
  } else if (kind == "redis") {
    out = ReadRedis(r);
  } else if (kind == "dns") {
    out = ReadDns(r);
  } else if (kind == "exec") {
    out = ReadExec(r);
  } else if (kind == "tls_expiry") {
    out = ReadTlsExpiry(r);
  } else {
    out = ReadFileAge(r);
  }
  if (r.problem_count() != before) {
    return std::nullopt;
  }
  return out;
}

}  // namespace vitals::config
