#include "agent/http/server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <exception>
#include <thread>

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
  // 15 window bits + 16 selects the gzip wrapper rather than raw zlib.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
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

// The address a local client reaches the listener at: "127.0.0.1:9810" ->
// 127.0.0.1, "9810" or "0.0.0.0:9810" (every interface) -> 127.0.0.1.
std::string LoopbackFor(std::string_view listening_ports) {
  std::size_t colon = listening_ports.rfind(':');
  std::string_view host =
      colon == std::string_view::npos ? std::string_view() : listening_ports.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') {
    host = host.substr(1, host.size() - 2);
    return host == "::" ? "::1" : std::string(host);
  }
  return host.empty() || host == "0.0.0.0" ? "127.0.0.1" : std::string(host);
}

// Opens and closes one TCP connection to host:port; errors do not matter.
void Poke(const std::string& host, int port) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof *v6;
  } else {
    return;
  }
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), len);
    ::close(fd);
  }
}

}  // namespace

std::variant<std::unique_ptr<Server>, std::string> Server::Start(const Options& options,
                                                                  std::vector<Route> routes) {
  std::unique_ptr<Server> server(new Server(std::move(routes)));
  std::string threads = std::to_string(options.threads);
  const char* config[] = {
      "listening_ports", options.listening_ports.c_str(),
      "num_threads", threads.c_str(),
      "request_timeout_ms", "10000",
      "enable_keep_alive", "yes",
      "keep_alive_timeout_ms", "5000",
      "enable_directory_listing", "no",
      nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
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
  server->wake_host_ = LoopbackFor(options.listening_ports);
  mg_set_request_handler(server->ctx_, "/", &Server::Dispatch, server.get());
  return server;
}

Server::~Server() {
  if (ctx_ == nullptr) {
    return;
  }
  // CivetWeb's master thread sees the stop flag only between polls of the
  // listening socket, which wait up to 2 s each; connecting to ourselves wakes
  // it, so SIGTERM ends the process in milliseconds rather than up to 2 s.
  int bound = port();
  std::atomic<bool> stopped = false;
  std::thread waker([&] {
    for (int i = 0; i < 200 && !stopped.load(); ++i) {  // bounded: 200 x 10 ms
      Poke(wake_host_, bound);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  mg_stop(ctx_);
  stopped = true;
  waker.join();
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
  if (route == nullptr) {
    response = Response::Text(404, "404 page not found\n");
  } else if (std::find(route->methods.begin(), route->methods.end(), method) ==
             route->methods.end()) {
    response = Response::Text(405, "method not allowed\n");
    std::string allow;
    for (auto m : route->methods) {
      allow += (allow.empty() ? "" : ", ") + std::string(m);
    }
    response.headers.emplace_back("Allow", allow);
  } else {
    try {
      response = route->handler(request);
    } catch (const std::exception& e) {
      log::Error("handler failed", {{"path", std::string(path)}, {"err", e.what()}});
      response = Response::Text(500, "internal error\n");
    }
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

}  // namespace vitals::http
