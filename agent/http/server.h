#pragma once
// One CivetWeb server for every endpoint. Handlers are plain functions from a
// Request to a Response; the server does routing, HEAD, 404/405, and gzip
// when the client asks for it, and the web security around them: TLS
// (tls.h), basic auth (basic_auth.h), the connection gate that keeps slow and
// idle clients off the workers (connection_gate.h), request size limits and
// security headers.
// Thread contract: handlers run concurrently on CivetWeb's worker threads;
// ApplyWebConfig() may run concurrently with them.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "agent/http/basic_auth.h"
#include "agent/http/connection_gate.h"
#include "agent/http/tls.h"
#include "agent/http/web_config.h"

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
  // Never served without valid basic-auth credentials, whatever the web
  // config's protected_paths say; 403 when no users are configured. For
  // diagnostics, heartbeats and lifecycle endpoints (kAlwaysProtectedPrefixes
  // are treated so even when a route forgets this).
  bool requires_auth = false;
};

// Counters of the web layer, exported as vitals_http_* by HttpCollector.
struct ServerStats {
  std::atomic<std::uint64_t> auth_failures{0};  // 401 and 403 answers
  std::atomic<std::uint64_t> requests_too_large{0};  // 411 and 413 answers
  GateStats gate;
  TlsStats tls;
};

class Server {
 public:
  struct Options {
    std::string listening_ports;  // CivetWeb syntax, e.g. "127.0.0.1:9810" (no 's')
    int threads = 8;
    WebConfig web;  // TLS, auth, limits; the default is plain HTTP, open, default limits
    std::shared_ptr<ServerStats> stats;  // null: counted privately
  };

  // Returns the running server or why it could not start (e.g. the port is
  // in use), as one line.
  static std::variant<std::unique_ptr<Server>, std::string> Start(const Options& options,
                                                                   std::vector<Route> routes);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;  // the bound port (useful with port 0)
  bool tls() const { return tls_ != nullptr; }

  // Applies a re-read web config: users, protected paths and TLS files change
  // at once; switching TLS on or off and new limits need a restart and are
  // refused. On error nothing changes and the message says why.
  std::string ApplyWebConfig(const WebConfig& web);

 private:
  // What ApplyWebConfig swaps: immutable, shared with requests in flight.
  struct AuthPolicy {
    explicit AuthPolicy(const WebConfig& web)
        : users(web.basic_auth_users), protected_paths(web.protected_paths) {}
    BasicAuth users;
    std::vector<std::string> protected_paths;
  };

  explicit Server(std::vector<Route> routes) : routes_(std::move(routes)) {}
  static int Dispatch(mg_connection* conn, void* self);
  void Serve(mg_connection* conn);
  // Empty when `request` may proceed, else the 401/403 to send.
  std::optional<Response> Authorize(const Request& request, const Route* route) const;
  std::shared_ptr<const AuthPolicy> auth() const;

  std::vector<Route> routes_;
  Limits limits_;  // fixed at Start
  std::shared_ptr<ServerStats> stats_;
  std::unique_ptr<TlsContext> tls_;
  mutable std::mutex auth_mutex_;             // guards auth_ (the pointer, not the policy)
  std::shared_ptr<const AuthPolicy> auth_;
  std::unique_ptr<ConnectionGate> gate_;      // before ctx_ in stop order, see ~Server
  mg_context* ctx_ = nullptr;
};

// Gzip-compresses `data` (zlib, gzip wrapper); exposed for tests.
std::string Gzip(std::string_view data);
// True when an Accept-Encoding header value allows gzip.
bool AcceptsGzip(std::string_view accept_encoding);
// False when the linked CivetWeb was built without IPv6 (Debian's is).
bool Ipv6Supported();

}  // namespace vitals::http
