// http: one request with libcurl (method, headers, body, basic auth,
// redirects, TLS with a CA, a client certificate and a verify switch), then
// the verdict: status in expect_status (2xx by default), body matching
// body_regex (RE2), and Degraded when slower than degraded_latency.
// Bound by the run's deadline (CURLOPT_TIMEOUT_MS; the URL's host is looked
// up first with c-ares within it) and the stop token (the progress callback
// aborts the transfer). A response head over 64 KiB or a body over 1 MiB
// stops the transfer, and the reason says so.

#include "agent/health/kind.h"
#include "agent/probes/probe.h"
#include <memory>

#include "agent/probes/curl.h"

#include <re2/re2.h>

#include <arpa/inet.h>

#include <cstdlib>
#include <mutex>

namespace re2 {
class RE2;
}

namespace vitals::probes {

namespace {

struct HttpSettings : config::KindSettings {
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<config::StatusRange> expect_status;  // empty: 2xx
  std::string body_regex;                  // RE2 syntax, searched in the body
  bool follow_redirects = true;
  std::uint32_t max_redirects = 10;
  config::TlsClientConfig tls;  // enabled is ignored: the URL's scheme decides
  std::string username;  // basic auth, with password
  config::Secret password;
  std::optional<std::chrono::milliseconds> degraded_latency;  // slower: Degraded
};

HttpSettings ReadHttp(const config::Reader& r) {
  HttpSettings c;
  if (auto url = r.String("url", true)) {
    c.url = *url;
    if (c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) {
      r.At("url").Fail("expected an http:// or https:// URL, got " + config::Describe(r.At("url").value()));
    }
  }
  if (auto method = r.String("method")) {
    const bool token = !method->empty() && std::all_of(method->begin(), method->end(), [](char ch) {
      return ch >= 'A' && ch <= 'Z';
    });
    if (!token) {
      r.At("method").Fail("expected an HTTP method in capitals like \"GET\", got " +
                          config::Describe(r.At("method").value()));
    }
    c.method = *method;
  }
  if (r.Has("headers")) {
    config::Reader h = r.At("headers");
    if (!h.value().is_object()) {
      h.Fail("expected an object of header names to values, got " + config::Describe(h.value()));
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
    config::Reader list = r.At("expect_status");
    if (!list.value().is_array() || list.value().empty()) {
      list.Fail("expected a non-empty array like [200, \"2xx\", \"300-308\"], got " +
                config::Describe(list.value()));
    }
    r.Array("expect_status", [&](const config::Reader& e) {
      std::string error;
      std::optional<config::StatusRange> range;
      if (e.value().is_number_integer()) {
        range = config::ParseStatusRange(std::to_string(e.value().get<std::int64_t>()), &error);
      } else if (e.value().is_string()) {
        range = config::ParseStatusRange(e.value().get<std::string>(), &error);
      } else {
        error = "expected a status code like 200, \"2xx\" or \"200-204\", got " +
                config::Describe(e.value());
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
  c.tls = config::ReadTls(r, false);
  if (!c.tls.server_name.empty()) {
    r.At("tls").FailAt("server_name", "not used by http: the URL's host is the name verified");
  }
  c.username = r.String("username").value_or("");
  c.password = config::ReadSecret(r);
  if (!c.password.empty() && c.username.empty()) {
    r.FailAt("username", "missing: a password is for basic auth, which needs a username");
  }
  c.degraded_latency = r.Duration("degraded_latency");
  return c;
}

class HttpCheck final : public ProbeCheck {
 public:
  HttpCheck(HttpSettings config, health::HealthStatus on_failure);
  ~HttpCheck() override;

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  HttpSettings config_;
  std::unique_ptr<re2::RE2> body_regex_;
};

const collectors::MetricDesc kHttpContentLengthBytes = health::CheckGauge(
    "vitals_probe_http_content_length_bytes", "Length of the body an http probe received.");
const collectors::MetricDesc kHttpRedirects = health::CheckGauge(
    "vitals_probe_http_redirects", "Redirects an http probe followed.");
const collectors::MetricDesc kHttpStatusCode = health::CheckGauge(
    "vitals_probe_http_status_code", "HTTP status code of the last answer to an http probe.");
const collectors::MetricDesc kHttpVersion = health::CheckGauge(
    "vitals_probe_http_version", "HTTP version of the answer to an http probe.");

}  // namespace


namespace {

// What a response may hold; past it the transfer stops and the probe fails
// saying so. libcurl alone would take up to 300 KiB of headers, and any body.
constexpr std::size_t kMaxHead = 64 << 10;  // status line and headers of one response
constexpr std::size_t kMaxBody = 1 << 20;   // matched against body_regex

struct Transfer {
  std::string body;
  std::size_t head_bytes = 0;  // of the current response
  bool head_complete = false;
  bool head_over = false;
  bool body_over = false;
  CURL* handle = nullptr;
  const Deadline* deadline = nullptr;
  std::optional<ChainExpiry> chain;
  bool chain_read = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (n > kMaxBody - t->body.size()) {
    t->body_over = true;
    return 0;  // stops the transfer (CURLE_WRITE_ERROR)
  }
  t->body.append(data, n);
  return n;
}

// Called once per header line, the status line and the empty line that
// ends the head included. The TLS session is only reachable while the
// transfer runs: read the peer chain when the first header arrives.
std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new response: after a redirect, or a 100 Continue
    t->head_bytes = 0;
    t->head_complete = false;
  }
  t->head_bytes += line.size();
  if (t->head_bytes > kMaxHead) {
    t->head_over = true;
    return 0;  // stops the transfer (CURLE_WRITE_ERROR)
  }
  t->head_complete = line == "\r\n" || line == "\n";
  if (!t->chain_read) {
    t->chain_read = true;
    curl_tlssessioninfo* info = nullptr;
    if (Curl().curl_easy_getinfo(t->handle, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info != nullptr &&
        info->backend == CURLSSLBACKEND_OPENSSL && info->internals != nullptr) {
      t->chain = PeerChainExpiry(static_cast<SSL*>(info->internals));
    }
  }
  return line.size();
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->deadline->stop.stop_requested() ? 1 : 0;  // non-zero aborts
}

struct UrlDeleter {
  void operator()(CURLU* u) const { Curl().curl_url_cleanup(u); }
};

// A libcurl resolve entry ("host:port:addr,...") for the URL's host, looked
// up here with c-ares within the deadline: libcurl's own resolver is
// getaddrinfo on a thread that outlives an abandoned transfer. Empty for a
// literal address (nothing to look up) or a URL libcurl will refuse anyway.
// A redirect to another host is still resolved by libcurl.
std::string ResolveEntry(const std::string& url, const Deadline& deadline) {
  std::unique_ptr<CURLU, UrlDeleter> parsed(Curl().curl_url());
  char* host = nullptr;
  char* port = nullptr;
  if (!parsed || Curl().curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
      Curl().curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK ||
      Curl().curl_url_get(parsed.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
    Curl().curl_free(host);
    return {};
  }
  const std::string name = host;
  const auto port_number = static_cast<std::uint16_t>(std::atoi(port));
  Curl().curl_free(host);
  Curl().curl_free(port);
  unsigned char literal[16];
  if (name.empty() || name.front() == '[' || inet_pton(AF_INET, name.c_str(), literal) == 1) {
    return {};
  }
  std::string entry = name + ":" + std::to_string(port_number) + ":";
  const char* separator = "";
  for (const Address& a : Resolve(name, port_number, {}, deadline)) {
    entry += separator + (a.family() == AF_INET6 ? "[" + a.ToString() + "]" : a.ToString());
    separator = ",";
  }
  return entry;
}

}  // namespace

HttpCheck::HttpCheck(HttpSettings config, health::HealthStatus on_failure)
    : ProbeCheck(on_failure), config_(std::move(config)) {
  if (!config_.body_regex.empty()) {
    body_regex_ = std::make_unique<re2::RE2>(config_.body_regex, re2::RE2::Quiet);
  }
}

HttpCheck::~HttpCheck() = default;

health::CheckResult HttpCheck::Probe(ProbeRun& run) {
  InitCurl();
  const std::string password = ReadSecret(config_.password, run);
  const std::string shown = config_.method + " " + RedactDsn(config_.url);
  CurlList headers;
  for (const auto& [name, value] : config_.headers) {
    if (!AppendLine(headers, name + ": " + value)) {
      throw ProbeFailure(shown + ": out of memory");
    }
  }
  CurlList resolve;
  if (const std::string entry = ResolveEntry(config_.url, run.deadline); !entry.empty()) {
    if (!AppendLine(resolve, entry)) {
      throw ProbeFailure(shown + ": out of memory");
    }
  }
  // After the lookup: the transfer has what is left of the deadline.
  char error[CURL_ERROR_SIZE];
  CurlHandle handle = NewHttpTransfer({.url = config_.url,
                                       .timeout = run.deadline.Remaining(),
                                       .user_agent = kProbeUserAgent,
                                       .tls = config_.tls,
                                       .username = config_.username,
                                       .password = password},
                                      error);
  CURL* h = handle.get();
  Transfer t;
  t.deadline = &run.deadline;
  t.handle = h;
  if (resolve) {
    Curl().curl_easy_setopt(h, CURLOPT_RESOLVE, resolve.get());
  }
  Curl().curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, config_.follow_redirects ? 1L : 0L);
  Curl().curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(config_.max_redirects));
  Curl().curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  Curl().curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  Curl().curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  Curl().curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  // A body announced as larger is refused before it comes; OnBody stops one
  // that is not announced.
  Curl().curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxBody));
  Curl().curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
  Curl().curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  Curl().curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  if (config_.method == "HEAD") {
    Curl().curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (config_.method != "GET" || !config_.body.empty()) {
    Curl().curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, config_.method.c_str());
  }
  if (!config_.body.empty()) {
    Curl().curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(config_.body.size()));
    Curl().curl_easy_setopt(h, CURLOPT_POSTFIELDS, config_.body.c_str());
  }
  if (headers) {
    Curl().curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  }

  const CURLcode rc = Curl().curl_easy_perform(h);
  long code = 0;
  Curl().curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  long redirects = 0;
  Curl().curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &redirects);
  long version = 0;
  Curl().curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
  char* ip = nullptr;
  Curl().curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip);
  if (ip != nullptr && *ip != '\0') {
    run.data["ip_protocol"] = std::string(ip).find(':') != std::string::npos ? 6 : 4;
  }
  if (t.chain) {
    run.data["ssl_earliest_cert_expiry"] = t.chain->earliest_not_after;
  }
  if (rc != CURLE_OK) {
    std::string why = CurlErrorText(rc, error);
    if (t.head_over || (rc == CURLE_OUT_OF_MEMORY && !t.head_complete)) {
      // libcurl holds at most 100 KiB of an unfinished header line and then
      // fails with "Out of memory", before OnHeader could count it.
      why = "response header over " + std::to_string(kMaxHead) + " bytes" +
            (t.head_over ? "" : " (a line longer than libcurl's limit of 102400)");
    } else if (t.body_over || rc == CURLE_FILESIZE_EXCEEDED) {
      why = "response body over " + std::to_string(kMaxBody) + " bytes";
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
      why = "no complete answer within the " + run.deadline.TimeoutText() + " timeout";
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
      why = "cancelled, the agent is shutting down";
    }
    throw ProbeFailure(shown + ": " + why);
  }
  run.data["http_status_code"] = code;
  run.data["http_redirects"] = redirects;
  run.data["http_content_length_bytes"] = t.body.size();
  switch (version) {
    case CURL_HTTP_VERSION_1_0: run.data["http_version"] = 1.0; break;
    case CURL_HTTP_VERSION_1_1: run.data["http_version"] = 1.1; break;
    case CURL_HTTP_VERSION_2_0: run.data["http_version"] = 2.0; break;
    case CURL_HTTP_VERSION_3: run.data["http_version"] = 3.0; break;
    default: break;
  }
  if (!config::StatusMatches(config_.expect_status, static_cast<int>(code))) {
    throw ProbeFailure(shown + ": status " + std::to_string(code) + ", expected " +
                       (config_.expect_status.empty() ? std::string("2xx") : "one of expect_status") +
                       (t.body.empty() ? "" : "; body \"" + Excerpt(t.body) + "\""));
  }
  if (body_regex_ && !re2::RE2::PartialMatch(t.body, *body_regex_)) {
    throw ProbeFailure(shown + ": status " + std::to_string(code) + " but the body does not match /" +
                       Excerpt(config_.body_regex, 60) + "/; body \"" + Excerpt(t.body) + "\"");
  }
  const auto elapsed = std::chrono::steady_clock::now() - run.deadline.started;
  const std::string summary =
      shown + ": " + std::to_string(code) + " in " + FormatSeconds(elapsed);
  if (config_.degraded_latency && elapsed > *config_.degraded_latency) {
    return health::CheckResult::Degraded(summary + ", slower than " +
                                         FormatSeconds(*config_.degraded_latency));
  }
  return health::CheckResult::Healthy(summary);
}

VITALS_REGISTER_CHECK_KIND(http, (ProbeKind<HttpSettings, HttpCheck>(
                                "http", {"url", "method", "headers", "body", "expect_status", "body_regex", "follow_redirects", "max_redirects", "tls", "username", "password", "password_file", "degraded_latency"}, ReadHttp,
                                {{"ip_protocol", &kIpProtocol}, {"ssl_earliest_cert_expiry", &kSslEarliestCertExpiry}, {"http_content_length_bytes", &kHttpContentLengthBytes}, {"http_redirects", &kHttpRedirects}, {"http_status_code", &kHttpStatusCode}, {"http_version", &kHttpVersion}})));

}  // namespace vitals::probes
