#pragma once
// The web server for every endpoint: HTTP/1.1 of our own on one event loop
// (connection_loop.h), with handlers on a fixed pool of threads. Handlers are
// plain functions from a Request to a Response; the server does routing,
// HEAD, OPTIONS, 404/405, gzip when the client asks for it, and the web
// security around them: TLS (tls.h), basic auth (basic_auth.h), request
// limits and security headers.
//
// A request goes: loop (parse, route, cached credentials) ─► [password
// checks: bcrypt on their own 2 threads, at most kMaxPendingPasswordChecks
// waiting, 503 past that] ─► handlers (Options::threads) ─► loop (write).
// No connection holds a thread while it is idle, slow or not reading, and
// no flood of wrong passwords can hold a handler.
//
// Thread contract: handlers run concurrently on the handler threads;
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
#include "agent/http/connection_loop.h"
#include "agent/http/request_head.h"
#include "agent/http/response.h"
#include "agent/http/tls.h"
#include "agent/http/web_config.h"

namespace vitals::http {

class WorkQueue;

using Handler = std::function<Response(const Request&)>;

struct Route {
  std::string path;
  Handler handler;
  bool prefix = false;  // also serves path + "/..." (e.g. /health/<group>)
  std::vector<std::string_view> methods = {"GET", "HEAD"};
  // Never served without valid basic-auth credentials, whatever the web
  // config's protected_paths say; 403 when no users are configured. For
  // diagnostics and lifecycle endpoints (kAlwaysProtectedPrefixes
  // are treated so even when a route forgets this).
  bool requires_auth = false;
  // Served without credentials unless the web config protects the path, but
  // credentials that are sent are checked all the same: wrong ones are 401,
  // right ones mark the request authenticated() (a page that shows more to
  // users who may read /debug/state).
  bool checks_sent_credentials = false;
  // Authenticates its requests itself, with a secret of its own (heartbeat
  // tokens): the web config's catch-all "/" does not put basic auth in front
  // of it; a protected_paths entry that names it does.
  bool own_token = false;
};

// Counters of the web layer, exported as vitals_http_* by HttpCollector.
struct ServerStats {
  std::atomic<std::uint64_t> auth_failures{0};  // 401 and 403 answers
  std::atomic<std::uint64_t> busy{0};           // 503: too many password checks waiting
  ConnectionStats connections;
  TlsStats tls;
};

// Password checks (bcrypt) waiting for a thread beyond which the server
// answers 503 rather than queue more: at cost 10 each takes ~50 ms.
inline constexpr std::size_t kMaxPendingPasswordChecks = 32;

class Server {
 public:
  struct Options {
    // An IP address; empty, "0.0.0.0" or "::" listen on every address, IPv6
    // and IPv4 (IPv4 only without IPv6 in the kernel).
    std::string host;
    int port = 0;
    int threads = 8;  // handler threads
    WebConfig web;    // TLS, auth, limits; the default is plain HTTP, open, default limits
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
  bool has_users() const { return !auth()->users.empty(); }  // basic_auth_users configured
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
  using Shared = std::shared_ptr<Request>;  // handlers see it const

  explicit Server(std::vector<Route> routes);
  void OnRequest(std::uint64_t connection, std::unique_ptr<Request> request);
  void Proceed(std::uint64_t connection, Shared request, const Route* route);
  void Answer(std::uint64_t connection, const Request& request, Response response);
  const Route* FindRoute(std::string_view path) const;
  std::shared_ptr<const AuthPolicy> auth() const;

  std::vector<Route> routes_;
  Limits limits_;  // fixed at Start
  std::shared_ptr<ServerStats> stats_;
  std::unique_ptr<TlsContext> tls_;
  mutable std::mutex auth_mutex_;  // guards auth_ (the pointer, not the policy)
  std::shared_ptr<const AuthPolicy> auth_;
  // Stopped in this order by ~Server: the loop's thread, then the pools,
  // then the loop's connections.
  std::unique_ptr<ConnectionLoop> loop_;
  std::unique_ptr<WorkQueue> handlers_;
  std::unique_ptr<WorkQueue> password_checks_;
};

}  // namespace vitals::http
