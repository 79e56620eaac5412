#include "agent/http/server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>

#include "agent/log.h"

namespace vitals::http {

std::string_view Request::Header(const char* name) const {
  const char* value = mg_get_header(conn_, name);
  return value != nullptr ? std::string_view(value) : std::string_view();
}

Response Response::Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  // Level 1 (Z_BEST_SPEED), not zlib's default 6: scrapes travel over
  // loopback or a LAN, where a few hundred bytes more cost nothing, while the
  // CPU is the agent's budget. On a 23 KB /metrics body level 6 took 0.27 ms
  // for 4.3 KB, level 1 0.13 ms for 4.8 KB (README, Performance).
  // 15 window bits + 16 selects the gzip wrapper rather than raw zlib.
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

bool AcceptsGzip(std::string_view header) {
  // RFC 9110 12.5.3: "coding[;q=x]" tokens separated by ','. Codings are
  // case-insensitive, x-gzip is gzip, q=0 means "not acceptable", and an
  // explicit gzip entry wins over "*" whatever their order.
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
      s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
      s.remove_suffix(1);
    }
    return s;
  };
  auto iequals = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  int gzip = -1;  // -1: not mentioned, 0: refused, 1: accepted
  int star = -1;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view token = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    std::size_t semi = token.find(';');
    std::string_view coding = trim(token.substr(0, semi));
    bool accepted = true;
    while (semi != std::string_view::npos) {
      token.remove_prefix(semi + 1);
      semi = token.find(';');
      std::string_view param = trim(token.substr(0, semi));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        // qvalue is 0 to 1 with at most three decimals: zero only if all digits are.
        std::string_view q = trim(param.substr(2));
        accepted = q.empty() || q.find_first_not_of("0.") != std::string_view::npos;
      }
    }
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      gzip = std::max(gzip, accepted ? 1 : 0);
    } else if (coding == "*") {
      star = accepted ? 1 : 0;
    }
  }
  return gzip >= 0 ? gzip == 1 : star == 1;
}

namespace {

// CivetWeb reports why it could not bind ("Address already in use") only
// through this callback, while mg_start2 runs on the calling thread; Start
// points this at a vector to keep those reasons for its error message.
thread_local std::vector<std::string>* startup_messages = nullptr;

int LogMessage(const mg_connection*, const char* message) {
  if (startup_messages != nullptr) {
    startup_messages->emplace_back(message);
  }
  log::Debug("http server", {{"detail", message}});
  return 1;  // handled: keep CivetWeb from printing to stderr itself
}

// CivetWeb's listening socket for `port`: the one descriptor of this process
// that listens there. -1 when there is none or more than one.
int FindListeningSocket(int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    return -1;
  }
  int found = -1;
  int matches = 0;
  while (dirent* entry = readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9' || fd == dirfd(dir)) {
      continue;
    }
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening != 1) {
      continue;
    }
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) {
      continue;
    }
    int bound = addr.ss_family == AF_INET
                    ? ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port)
                    : addr.ss_family == AF_INET6
                          ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                          : -1;
    if (bound == port) {
      found = fd;
      ++matches;
    }
  }
  closedir(dir);
  return matches == 1 ? found : -1;
}

Response Unauthorized() {
  Response r = Response::Text(401, "401 Unauthorized\n");
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"vitals\", charset=\"UTF-8\"");
  return r;
}

bool HasHeader(const Response& r, std::string_view name) {
  for (const auto& [key, value] : r.headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

// Headers every answer carries unless its handler chose otherwise. Everything
// vitals serves is live data, never to be cached, framed or type-sniffed.
void AddSecurityHeaders(Response& r) {
  auto add = [&](const char* name, const char* value) {
    if (!HasHeader(r, name)) {
      r.headers.emplace_back(name, value);
    }
  };
  add("X-Content-Type-Options", "nosniff");
  add("Cache-Control", "no-store");
  add("X-Frame-Options", "DENY");
  add("Content-Security-Policy",
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; "
      "form-action 'none'");
  if (r.content_type.rfind("text/html", 0) == 0) {
    add("Referrer-Policy", "no-referrer");
  }
}

}  // namespace

std::variant<std::unique_ptr<Server>, std::string> Server::Start(const Options& options,
                                                                  std::vector<Route> routes) {
  std::unique_ptr<Server> server(new Server(std::move(routes)));
  server->limits_ = options.web.limits;
  server->stats_ = options.stats != nullptr ? options.stats : std::make_shared<ServerStats>();
  server->auth_ = std::make_shared<const AuthPolicy>(options.web);
  const Limits& limits = options.web.limits;

  std::string ports = options.listening_ports;
  if (options.web.tls) {
    // The context first: it loads OpenSSL, and says so when that is missing.
    auto tls = TlsContext::Create(*options.web.tls, &server->stats_->tls);
    if (auto* err = std::get_if<std::string>(&tls)) {
      return *err;
    }
    if (std::string err = LoadCivetwebOpenSsl3Shims(); !err.empty()) {
      return err;
    }
    server->tls_ = std::move(std::get<std::unique_ptr<TlsContext>>(tls));
    ports += "s";
  }

  std::string threads = std::to_string(options.threads);
  std::string request_timeout = std::to_string(limits.request_timeout.count());
  std::string idle_timeout = std::to_string(limits.idle_timeout.count());
  // CivetWeb's buffer for the request head; the gate has already refused
  // longer plain-HTTP heads with 431, this catches them inside TLS.
  std::string max_request = std::to_string(limits.max_header_bytes);
  const char* config[] = {
      "listening_ports", ports.c_str(),
      "num_threads", threads.c_str(),
      "request_timeout_ms", request_timeout.c_str(),
      "enable_keep_alive", "yes",
      "keep_alive_timeout_ms", idle_timeout.c_str(),
      "max_request_size", max_request.c_str(),
      // Complete connections wait in the gate, not in CivetWeb's queue.
      "connection_queue", threads.c_str(),
      "enable_directory_listing", "no",
      nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
  callbacks.init_ssl = [](void* ssl_ctx, void* self) {
    auto* s = static_cast<Server*>(self);
    return s->tls_ != nullptr ? s->tls_->ConfigureContext(ssl_ctx) : -1;
  };
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = server.get();
  init.configuration_options = config;
  char error_text[256] = {0};
  unsigned error_code = 0;
  mg_error_data error{};
  error.code = &error_code;
  error.text = error_text;
  error.text_buffer_size = sizeof error_text;
  std::vector<std::string> messages;
  startup_messages = &messages;
  server->ctx_ = mg_start2(&init, &error);
  startup_messages = nullptr;
  if (server->ctx_ == nullptr) {
    // The first message is the cause ("cannot bind to ...: 98 (Address
    // already in use)"); error_text only says "Failed to setup server ports".
    std::string why = !messages.empty()     ? messages.front()
                      : error_text[0] != '\0' ? error_text
                                              : "unknown error";
    return "cannot listen on " + options.listening_ports + ": " + why;
  }

  int listener = FindListeningSocket(server->port());
  if (listener < 0) {
    return "cannot find CivetWeb's listening socket for port " + std::to_string(server->port());
  }
  auto gate = ConnectionGate::Start(
      listener, {options.web.tls.has_value(), limits, &server->stats_->gate});
  if (auto* err = std::get_if<std::string>(&gate)) {
    return *err;
  }
  server->gate_ = std::move(std::get<std::unique_ptr<ConnectionGate>>(gate));
  mg_set_request_handler(server->ctx_, "/", &Server::Dispatch, server.get());
  return server;
}

Server::~Server() {
  if (ctx_ == nullptr) {
    return;
  }
  // CivetWeb's master thread sees the stop flag only between polls of its
  // listening descriptor, which wait up to 2 s each; the gate keeps that
  // descriptor readable so SIGTERM ends the process in milliseconds.
  if (gate_ != nullptr) {
    gate_->PrepareStop();
  }
  mg_stop(ctx_);
  gate_.reset();
}

int Server::port() const {
  mg_server_port ports[4] = {};
  int n = mg_get_server_ports(ctx_, 4, ports);
  return n > 0 ? ports[0].port : -1;
}

int Server::Dispatch(mg_connection* conn, void* self) {
  static_cast<Server*>(self)->Serve(conn);
  return 1;
}

void Server::Serve(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  std::string_view method = info->request_method != nullptr ? info->request_method : "";
  std::string_view path = info->local_uri != nullptr ? info->local_uri : "";
  std::string_view query = info->query_string != nullptr ? info->query_string : "";
  Request request(conn, method, path, query);

  const Route* route = nullptr;
  for (const Route& r : routes_) {
    if (path == r.path || (r.prefix && path.size() > r.path.size() &&
                           path.substr(0, r.path.size()) == r.path && path[r.path.size()] == '/')) {
      route = &r;
      break;
    }
  }
  Response response;
  std::uint64_t max_body = limits_.max_body_bytes;
  // Credentials first: an unauthenticated client learns nothing, not even
  // which paths exist.
  if (auto refused = Authorize(request, route)) {
    response = std::move(*refused);
    ++stats_->auth_failures;
  } else if (route == nullptr) {
    response = Response::Text(404, "404 page not found\n");
  } else if (std::find(route->methods.begin(), route->methods.end(), method) ==
             route->methods.end()) {
    response = Response::Text(405, "method not allowed\n");
    std::string allow;
    for (auto m : route->methods) {
      allow += (allow.empty() ? "" : ", ") + std::string(m);
    }
    response.headers.emplace_back("Allow", allow);
  } else if (!request.Header("Transfer-Encoding").empty()) {
    // Bodies are bounded by Content-Length; a chunked one has no size up front.
    response = Response::Text(411, "411 Length Required: send a Content-Length of at most " +
                                       std::to_string(max_body) + " bytes\n");
    ++stats_->requests_too_large;
  } else if (info->content_length > 0 &&
             static_cast<std::uint64_t>(info->content_length) > max_body) {
    response = Response::Text(413, "413 Content Too Large: the limit is " +
                                       std::to_string(max_body) + " bytes\n");
    ++stats_->requests_too_large;
  } else {
    try {
      response = route->handler(request);
    } catch (const std::exception& e) {
      log::Error("handler failed", {{"path", std::string(path)}, {"err", e.what()}});
      response = Response::Text(500, "internal error\n");
    }
  }
  AddSecurityHeaders(response);
  if (response.status == 411 || response.status == 413 ||
      (gate_ != nullptr && gate_->waiting() > 0)) {
    // Connections are waiting for a worker: free this one after the answer
    // rather than hold it for a keep-alive that may never come. An unread
    // body is not worth draining either.
    mg_disable_connection_keep_alive(conn);
  }

  bool gzip = response.body.size() > 256 && AcceptsGzip(request.Header("Accept-Encoding"));
  std::string compressed;
  if (gzip) {
    compressed = Gzip(response.body);
    gzip = !compressed.empty();
  }
  const std::string& body = gzip ? compressed : response.body;

  // The header API (not raw writes) lets CivetWeb manage keep-alive itself.
  mg_response_header_start(conn, response.status);
  mg_response_header_add(conn, "Content-Type", response.content_type.c_str(), -1);
  std::string length = std::to_string(body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  if (gzip) {
    mg_response_header_add(conn, "Content-Encoding", "gzip", -1);
  }
  mg_response_header_add(conn, "Vary", "Accept-Encoding", -1);
  for (const auto& [name, value] : response.headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
  if (method != "HEAD") {
    mg_write(conn, body.data(), body.size());
  }
}

std::shared_ptr<const Server::AuthPolicy> Server::auth() const {
  std::lock_guard lock(auth_mutex_);
  return auth_;
}

std::optional<Response> Server::Authorize(const Request& request, const Route* route) const {
  std::string_view path = request.path();
  bool always = route != nullptr && route->requires_auth;
  for (std::string_view prefix : kAlwaysProtectedPrefixes) {
    always = always || PathHasPrefix(path, prefix);
  }
  auto policy = auth();
  bool configured = false;
  if (!policy->users.empty()) {
    for (const auto& prefix : policy->protected_paths) {
      configured = configured || PathHasPrefix(path, prefix);
    }
  }
  if (!always && !configured) {
    return std::nullopt;
  }
  if (policy->users.empty()) {
    return Response::Text(403, "403 Forbidden: " + std::string(path) +
                                   " is served only with basic auth; configure "
                                   "basic_auth_users in --web.config.file\n");
  }
  if (!policy->users.Check(request.Header("Authorization"))) {
    return Unauthorized();
  }
  return std::nullopt;
}

std::string Server::ApplyWebConfig(const WebConfig& web) {
  if (web.tls.has_value() != (tls_ != nullptr)) {
    return web.tls ? "turning TLS on needs a restart" : "turning TLS off needs a restart";
  }
  if (web.limits != limits_) {
    return "changing limits needs a restart";
  }
  if (tls_ != nullptr && *web.tls != tls_->config()) {
    if (std::string err = tls_->Update(*web.tls); !err.empty()) {
      return err;
    }
  }
  auto policy = std::make_shared<const AuthPolicy>(web);
  std::lock_guard lock(auth_mutex_);
  auth_ = std::move(policy);
  return {};
}

bool Ipv6Supported() { return mg_check_feature(8) != 0; }

}  // namespace vitals::http
