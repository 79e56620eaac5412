#include "config/probes.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace vitals::config {

namespace {

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

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

}  // namespace vitals::config
