#pragma once
// One CivetWeb server for every endpoint. Handlers are plain functions from a
// Request to a Response; the server does routing, HEAD, 404/405, and gzip
// when the client asks for it.
// Thread contract: handlers run concurrently on CivetWeb's worker threads.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

struct mg_context;
struct mg_connection;

namespace vitals::http {

class Request {
 public:
  Request(mg_connection* conn, std::string_view method, std::string_view path,
          std::string_view query)
      : conn_(conn), method_(method), path_(path), query_(query) {}
  std::string_view method() const { return method_; }
  std::string_view path() const { return path_; }
  std::string_view query() const { return query_; }
  std::string_view Header(const char* name) const;  // empty when absent

 private:
  mg_connection* conn_;
  std::string_view method_, path_, query_;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Text(int status, std::string body);
};

using Handler = std::function<Response(const Request&)>;

struct Route {
  std::string path;
  Handler handler;
  bool prefix = false;  // also serves path + "/..." (e.g. /health/<group>)
  std::vector<std::string_view> methods = {"GET", "HEAD"};
};

class Server {
 public:
  struct Options {
    std::string listening_ports;  // CivetWeb syntax, e.g. "127.0.0.1:9810"
    int threads = 8;
  };

  // Returns the running server or why it could not start (e.g. the port is
  // in use), as one line.
  static std::variant<std::unique_ptr<Server>, std::string> Start(const Options& options,
                                                                   std::vector<Route> routes);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;  // the bound port (useful with port 0)

 private:
  explicit Server(std::vector<Route> routes) : routes_(std::move(routes)) {}
  static int Dispatch(mg_connection* conn, void* self);
  void Serve(mg_connection* conn);

  std::vector<Route> routes_;
  mg_context* ctx_ = nullptr;
  std::string wake_host_;  // where ~Server connects to wake CivetWeb's listener
};

// Gzip-compresses `data` (zlib, gzip wrapper); exposed for tests.
std::string Gzip(std::string_view data);
// True when an Accept-Encoding header value allows gzip.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace vitals::http
