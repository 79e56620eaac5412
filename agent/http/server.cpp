#include "agent/http/server.h"

#include <civetweb.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
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
  // Tokens separated by ',', each "coding[;q=x]"; gzip;q=0 means "not gzip".
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view token = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    std::size_t semi = token.find(';');
    std::string_view coding = token.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "*") {
      continue;
    }
    if (semi == std::string_view::npos) {
      return true;
    }
    std::string_view params = token.substr(semi + 1);
    std::size_t q = params.find("q=");
    if (q == std::string_view::npos) {
      return true;
    }
    std::string_view qv = params.substr(q + 2);
    bool zero = !qv.empty() && qv.find_first_not_of("0.") != 0;  // "0", "0.0", "0.000"
    return !zero;
  }
  return false;
}

namespace {

int LogMessage(const mg_connection*, const char* message) {
  log::Debug("http server", {{"detail", message}});
  return 1;  // handled: keep CivetWeb from printing to stderr itself
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
  server->ctx_ = mg_start2(&init, &error);
  if (server->ctx_ == nullptr) {
    std::string why = error_text[0] != '\0' ? error_text : "unknown error";
    return "cannot listen on " + options.listening_ports + ": " + why;
  }
  mg_set_request_handler(server->ctx_, "/", &Server::Dispatch, server.get());
  return server;
}

Server::~Server() {
  if (ctx_ != nullptr) {
    mg_stop(ctx_);
  }
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
