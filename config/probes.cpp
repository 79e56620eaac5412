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
  auto hp = ParseHostPort(*text, HostPortUse::kConnect, &error);
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
