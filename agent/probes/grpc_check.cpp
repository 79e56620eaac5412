// grpc: the standard health check, grpc.health.v1.Health/Check, over
// libcurl's HTTP/2 (cleartext with prior knowledge, or TLS with ALPN h2).
// gRPC is small on the wire: a POST of one length-prefixed message (a flag
// byte, a 4-byte big-endian length, the protobuf), an answer of the same
// framing, and grpc-status in the trailers. The two messages have one field
// each (HealthCheckRequest.service = 1, a string; HealthCheckResponse.status
// = 1, an enum), so they are encoded and decoded here by hand: no gRPC or
// protobuf library, nothing to load but the libcurl the http probe loads.
//
//   {"name": "api", "kind": "grpc", "address": "api:50051", "service": "app.Api",
//    "tls": {"ca_file": "/etc/ssl/api-ca.pem"}}
//
// SERVING is Healthy, NOT_SERVING Unhealthy (the server's own verdict);
// UNKNOWN, SERVICE_UNKNOWN, a service the server does not know (grpc-status
// NOT_FOUND) and any other failure are the check's on_error with the reason.
// Bound by the run's deadline (CURLOPT_TIMEOUT_MS, grpc-timeout for the
// server; the host is resolved with c-ares first) and the stop token.

#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>

#include "agent/health/kind.h"
#include "agent/probes/curl.h"
#include "agent/probes/probe.h"

namespace vitals::probes {

namespace {

struct GrpcSettings : config::KindSettings {
  config::HostPort address;
  std::string service;  // empty: the server as a whole
  config::TlsClientConfig tls;
};

GrpcSettings ReadGrpc(const config::Reader& r) {
  GrpcSettings c;
  c.address = config::ReadAddress(r, "address").value_or(config::HostPort{});
  c.service = r.String("service").value_or("");
  c.tls = config::ReadTls(r, true);
  return c;
}

constexpr std::size_t kMaxAnswer = 64 << 10;  // head or body; a health answer is a few bytes

// grpc.health.v1.HealthCheckResponse.ServingStatus
constexpr const char* kServingNames[] = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
// The gRPC status codes, for messages.
constexpr const char* kCodeNames[] = {
    "OK",        "CANCELLED",          "UNKNOWN",        "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS",     "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION", "ABORTED",  "OUT_OF_RANGE",   "UNIMPLEMENTED",    "INTERNAL",
    "UNAVAILABLE", "DATA_LOSS",        "UNAUTHENTICATED"};

void AppendVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

// Reads a varint at `pos`; false when it runs past the end or over 10 bytes.
bool ReadVarint(std::string_view in, std::size_t& pos, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 70 && pos < in.size(); shift += 7) {
    const auto byte = static_cast<std::uint8_t>(in[pos++]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      return true;
    }
  }
  return false;
}

// The request: one uncompressed message, HealthCheckRequest{service}.
std::string RequestFrame(const std::string& service) {
  std::string message;
  if (!service.empty()) {
    message += '\x0a';  // field 1, length-delimited
    AppendVarint(message, service.size());
    message += service;
  }
  std::string frame(5, '\0');
  for (int i = 0; i < 4; ++i) {
    frame[static_cast<std::size_t>(1 + i)] =
        static_cast<char>((message.size() >> (8 * (3 - i))) & 0xff);
  }
  return frame + message;
}

// HealthCheckResponse.status from an answer's body; throws ProbeFailure
// naming what is wrong. A message without the field is UNKNOWN (proto3).
std::uint64_t ServingStatus(std::string_view body, const std::string& target) {
  auto bad = [&](const std::string& why) {
    return ProbeFailure(target + ": invalid answer: " + why + " (\"" + Excerpt(body, 40) + "\")");
  };
  if (body.size() < 5) {
    throw bad("no gRPC message in the body (" + std::to_string(body.size()) + " bytes)");
  }
  if (body[0] != 0) {
    throw bad("a compressed message, which was not asked for");
  }
  std::uint64_t length = 0;
  for (int i = 1; i <= 4; ++i) {
    length = length << 8 | static_cast<std::uint8_t>(body[static_cast<std::size_t>(i)]);
  }
  if (length != body.size() - 5) {
    throw bad("the message says " + std::to_string(length) + " bytes, the body has " +
              std::to_string(body.size() - 5));
  }
  const std::string_view message = body.substr(5);
  std::uint64_t status = 0;
  for (std::size_t pos = 0; pos < message.size();) {
    std::uint64_t tag = 0;
    std::uint64_t value = 0;
    if (!ReadVarint(message, pos, tag)) {
      throw bad("a truncated field");
    }
    switch (tag & 7) {
      case 0:  // varint
        if (!ReadVarint(message, pos, value)) {
          throw bad("a truncated field");
        }
        if (tag >> 3 == 1) {
          status = value;
        }
        break;
      case 1:  // 64-bit
      case 5:  // 32-bit
        pos += (tag & 7) == 1 ? 8 : 4;
        break;
      case 2:  // length-delimited
        if (!ReadVarint(message, pos, value) || value > message.size() - pos) {
          throw bad("a truncated field");
        }
        pos += value;
        break;
      default:
        throw bad("wire type " + std::to_string(tag & 7));
    }
    if (pos > message.size()) {
      throw bad("a truncated field");
    }
  }
  return status;
}

// grpc-message is percent-encoded (the gRPC HTTP/2 protocol).
std::string PercentDecoded(std::string_view text) {
  auto hex = [](char c) {
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

struct Answer {
  std::string body;
  std::size_t head_bytes = 0;
  bool too_big = false;
  std::optional<int> grpc_status;  // in the trailers, or the head of a Trailers-Only answer
  std::string grpc_message;
  const Deadline* deadline = nullptr;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* a = static_cast<Answer*>(user);
  const std::size_t n = size * count;
  if (n > kMaxAnswer - a->body.size()) {
    a->too_big = true;
    return 0;  // stops the transfer
  }
  a->body.append(data, n);
  return n;
}

// Header lines of the head and then of the trailers: libcurl hands both here.
std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* a = static_cast<Answer*>(user);
  std::string_view line(data, size * count);
  a->head_bytes += line.size();
  if (a->head_bytes > kMaxAnswer) {
    a->too_big = true;
    return 0;
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  auto value_of = [&](std::string_view name) -> std::optional<std::string_view> {
    if (line.size() <= name.size() || line[name.size()] != ':') {
      return std::nullopt;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) {
        return std::nullopt;
      }
    }
    std::string_view v = line.substr(name.size() + 1);
    while (!v.empty() && v.front() == ' ') {
      v.remove_prefix(1);
    }
    return v;
  };
  if (auto v = value_of("grpc-status")) {
    int code = -1;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), code);
    a->grpc_status = ec == std::errc() && end == v->data() + v->size() ? code : -1;
  } else if (auto m = value_of("grpc-message")) {
    a->grpc_message = PercentDecoded(*m);
  }
  return size * count;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Answer*>(user)->deadline->stop.stop_requested() ? 1 : 0;  // non-zero aborts
}

const collectors::MetricDesc kGrpcStatusCode = health::CheckGauge(
    "vitals_probe_grpc_status_code", "grpc-status of the answer to a grpc probe (0 OK).");
const collectors::MetricDesc kGrpcServingStatus = health::CheckGauge(
    "vitals_probe_grpc_serving_status",
    "Serving status a grpc probe got (0 UNKNOWN, 1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN).");

class GrpcCheck final : public ProbeCheck {
 public:
  GrpcCheck(GrpcSettings config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override {
    const std::string what = config_.service.empty() ? "the server" : "\"" + config_.service + "\"";
    const std::string target = "grpc " + config_.address.ToString() + " " + what;
    InitCurl();
    // The name in the URL is what TLS verifies and sends as SNI; it is
    // resolved here, within the deadline, and handed to libcurl.
    const std::string& name =
        config_.tls.server_name.empty() ? config_.address.host : config_.tls.server_name;
    Address address;
    try {
      address = Resolve(config_.address.host, config_.address.port, {}, run.deadline).at(0);
    } catch (const ProbeFailure& e) {
      throw ProbeFailure(target + ": " + e.what());
    }
    const bool v6 = name.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + name + "]" : name;
    const std::string port = std::to_string(config_.address.port);
    const std::string url = std::string(config_.tls.enabled ? "https" : "http") + "://" + host +
                            ":" + port + "/grpc.health.v1.Health/Check";
    const std::string ip = address.ToString();
    const auto timeout = std::max(run.deadline.Remaining(), std::chrono::milliseconds(1));
    const auto append = [&target](CurlList& list, const std::string& line) {
      if (!AppendLine(list, line)) {
        throw ProbeFailure(target + ": out of memory");
      }
    };
    CurlList resolve;
    append(resolve, host + ":" + port + ":" + (address.family() == AF_INET6 ? "[" + ip + "]" : ip));
    CurlList headers;
    for (const std::string& line :
         {std::string("Content-Type: application/grpc"), std::string("TE: trailers"),
          "grpc-timeout: " + std::to_string(timeout.count()) + "m", std::string("Expect:")}) {
      append(headers, line);
    }
    const std::string request = RequestFrame(config_.service);
    char error[CURL_ERROR_SIZE];
    CurlHandle handle = NewHttpTransfer(
        {.url = url, .timeout = timeout, .user_agent = kProbeUserAgent, .tls = config_.tls}, error);
    CURL* h = handle.get();
    Answer answer;
    answer.deadline = &run.deadline;
    Curl().curl_easy_setopt(h, CURLOPT_RESOLVE, resolve.get());
    Curl().curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                            config_.tls.enabled ? CURL_HTTP_VERSION_2TLS
                                                : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
    Curl().curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    Curl().curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.size()));
    Curl().curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.data());
    Curl().curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    Curl().curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
    Curl().curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    Curl().curl_easy_setopt(h, CURLOPT_HEADERDATA, &answer);
    Curl().curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
    Curl().curl_easy_setopt(h, CURLOPT_XFERINFODATA, &answer);
    Curl().curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    const CURLcode rc = Curl().curl_easy_perform(h);
    run.data["ip_protocol"] = address.family() == AF_INET6 ? 6 : 4;
    if (rc != CURLE_OK) {
      std::string why = answer.too_big ? "answer over " + std::to_string(kMaxAnswer) + " bytes"
                        : rc == CURLE_OPERATION_TIMEDOUT ? run.deadline.TimedOut()
                        : rc == CURLE_ABORTED_BY_CALLBACK
                            ? std::string("cancelled, the agent is shutting down")
                            : CurlErrorText(rc, error);
      throw ProbeFailure(target + ": " + why);
    }
    long code = 0;
    long version = 0;
    Curl().curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    Curl().curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
    if (version != CURL_HTTP_VERSION_2_0) {
      throw ProbeFailure(target + ": the server did not answer over HTTP/2 (HTTP status " +
                         std::to_string(code) + "): not a gRPC server?");
    }
    if (code != 200) {
      throw ProbeFailure(target + ": HTTP status " + std::to_string(code) +
                         " (a gRPC answer is 200): not a gRPC server?");
    }
    if (!answer.grpc_status) {
      throw ProbeFailure(target + ": no grpc-status in the answer: not a gRPC server?");
    }
    const int status = *answer.grpc_status;
    run.data["grpc_status_code"] = status;
    if (status != 0) {
      const std::string name_of =
          status > 0 && status < static_cast<int>(std::size(kCodeNames)) ? kCodeNames[status] : "?";
      const std::string message =
          answer.grpc_message.empty() ? "" : ": " + Excerpt(answer.grpc_message);
      if (status == 5) {
        throw ProbeFailure(target + ": the server does not know the service (grpc-status 5 "
                           "NOT_FOUND" + message + ")");
      }
      if (status == 12) {
        throw ProbeFailure(target + ": the server has no health service (grpc-status 12 "
                           "UNIMPLEMENTED" + message + ")");
      }
      throw ProbeFailure(target + ": grpc-status " + std::to_string(status) + " " + name_of +
                         message);
    }
    const std::uint64_t serving = ServingStatus(answer.body, target);
    run.data["grpc_serving_status"] = serving;
    const std::string seen =
        serving < std::size(kServingNames) ? kServingNames[serving] : std::to_string(serving);
    const std::string text = target + ": " + seen + " in " + run.deadline.Elapsed();
    if (serving == 1) {
      return health::CheckResult::Healthy(text);
    }
    if (serving == 2) {
      return health::CheckResult::Unhealthy(text);
    }
    throw ProbeFailure(text + " (neither SERVING nor NOT_SERVING)");
  }

 private:
  GrpcSettings config_;
};

}  // namespace

VITALS_REGISTER_CHECK_KIND(grpc, (ProbeKind<GrpcSettings, GrpcCheck>(
                                     "grpc", {"address", "service", "tls"}, ReadGrpc,
                                     {{"grpc_serving_status", &kGrpcServingStatus},
                                      {"grpc_status_code", &kGrpcStatusCode},
                                      {"ip_protocol", &kIpProtocol}})));

}  // namespace vitals::probes
