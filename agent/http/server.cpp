#include "agent/http/server.h"

#include <malloc.h>

#include <algorithm>
#include <exception>

#include "agent/http/work_queue.h"
#include "agent/log/log.h"

namespace vitals::http {

namespace {

constexpr int kPasswordCheckThreads = 2;

// The body size past which an answer gives its freed memory back (Answer):
// about 2,500 samples of a scrape; a host's default scrape is under 100 KiB.
constexpr std::size_t kTrimAfterBodyBytes = 256u << 10;

Response Unauthorized() {
  Response r = Response::Text(401, "401 Unauthorized\n");
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"vitals\", charset=\"UTF-8\"");
  return r;
}

std::string AllowList(const std::vector<std::string_view>& methods) {
  std::string allow;
  for (auto m : methods) {
    allow += (allow.empty() ? "" : ", ") + std::string(m);
  }
  return allow;
}

}  // namespace

Server::Server(std::vector<Route> routes) : routes_(std::move(routes)) {}

std::variant<std::unique_ptr<Server>, std::string> Server::Start(const Options& options,
                                                                  std::vector<Route> routes) {
  std::unique_ptr<Server> server(new Server(std::move(routes)));
  server->limits_ = options.web.limits;
  server->stats_ = options.stats != nullptr ? options.stats : std::make_shared<ServerStats>();
  server->auth_ = std::make_shared<const AuthPolicy>(options.web);
  if (options.web.tls) {
    // Loads OpenSSL, and says so when that is missing.
    auto tls = TlsContext::Create(*options.web.tls, &server->stats_->tls);
    if (auto* err = std::get_if<std::string>(&tls)) {
      return *err;
    }
    server->tls_ = std::move(std::get<std::unique_ptr<TlsContext>>(tls));
  }
  auto listener = Listen(options.host, options.port);
  if (auto* err = std::get_if<std::string>(&listener)) {
    return *err;
  }
  // Each connection has at most one request in the queues at a time.
  std::size_t max_pending = options.web.limits.max_connections;
  server->handlers_ = std::make_unique<WorkQueue>("vitals-handler", options.threads, max_pending);
  server->password_checks_ = std::make_unique<WorkQueue>("vitals-password", kPasswordCheckThreads,
                                                         kMaxPendingPasswordChecks);
  Server* self = server.get();
  auto loop = ConnectionLoop::Start(
      {std::get<int>(listener), server->tls_.get(), options.web.limits,
       &server->stats_->connections,
       [self](std::uint64_t connection, std::unique_ptr<Request> request) {
         self->OnRequest(connection, std::move(request));
       }});
  if (auto* err = std::get_if<std::string>(&loop)) {
    return *err;
  }
  server->loop_ = std::move(std::get<std::unique_ptr<ConnectionLoop>>(loop));
  return server;
}

Server::~Server() {
  if (loop_ != nullptr) {
    loop_->Stop();  // no new requests from here on
  }
  password_checks_.reset();  // may still hand a request to the handlers
  handlers_.reset();         // may still answer through the loop
  loop_.reset();
}

int Server::port() const { return loop_->port(); }

const Route* Server::FindRoute(std::string_view path) const {
  for (const Route& r : routes_) {
    if (path == r.path || (r.prefix && path.size() > r.path.size() &&
                           path.substr(0, r.path.size()) == r.path && path[r.path.size()] == '/')) {
      return &r;
    }
  }
  return nullptr;
}

// On the loop's thread: everything here is cheap; bcrypt and handlers go to
// their pools.
void Server::OnRequest(std::uint64_t connection, std::unique_ptr<Request> owned) {
  Shared request(std::move(owned));
  if (request->path() == "*") {  // OPTIONS *: what the server as a whole allows
    Response r = Response::Text(200, "");
    r.headers.emplace_back("Allow", "GET, HEAD, POST, OPTIONS");
    Answer(connection, *request, std::move(r));
    return;
  }
  const Route* route = FindRoute(request->path());
  // Credentials first: an unauthenticated client learns nothing, not even
  // which paths exist.
  std::string_view path = request->path();
  bool always = route != nullptr && route->requires_auth;
  for (std::string_view prefix : kAlwaysProtectedPrefixes) {
    always = always || PathHasPrefix(path, prefix);
  }
  auto policy = auth();
  bool configured = false;
  if (!policy->users.empty()) {
    for (const auto& prefix : policy->protected_paths) {
      const bool catch_all = prefix == "/";
      configured = configured || (PathHasPrefix(path, prefix) &&
                                  !(catch_all && route != nullptr && route->own_token));
    }
  }
  bool sent = route != nullptr && route->checks_sent_credentials && !policy->users.empty() &&
              !request->Header("Authorization").empty();
  if (!always && !configured && !sent) {
    Proceed(connection, std::move(request), route);
    return;
  }
  if (policy->users.empty()) {
    ++stats_->auth_failures;
    Answer(connection, *request,
           Response::Text(403, "403 Forbidden: " + std::string(path) +
                                   " is served only with basic auth; configure "
                                   "basic_auth_users in --web.config.file\n"));
    return;
  }
  std::optional<bool> cached = policy->users.CheckCached(request->Header("Authorization"));
  if (cached.has_value()) {
    if (*cached) {
      request->set_authenticated();
      Proceed(connection, std::move(request), route);
    } else {
      ++stats_->auth_failures;
      Answer(connection, *request, Unauthorized());
    }
    return;
  }
  bool queued = password_checks_->Submit([this, connection, request, route, policy] {
    if (policy->users.Check(request->Header("Authorization"))) {
      request->set_authenticated();
      Proceed(connection, request, route);
    } else {
      ++stats_->auth_failures;
      Answer(connection, *request, Unauthorized());
    }
  });
  if (!queued) {
    ++stats_->busy;
    Response r = Response::Text(503, "503 Service Unavailable: too many password checks "
                                     "waiting; retry\n");
    r.headers.emplace_back("Retry-After", "1");
    Answer(connection, *request, std::move(r));
  }
}

// Past authorization, on the loop's or a password-check thread.
void Server::Proceed(std::uint64_t connection, Shared request, const Route* route) {
  if (route == nullptr) {
    Answer(connection, *request, Response::Text(404, "404 page not found\n"));
    return;
  }
  std::string_view method = request->method();
  bool allowed = std::find(route->methods.begin(), route->methods.end(), method) !=
                 route->methods.end();
  if (!allowed) {
    bool options = method == "OPTIONS";
    Response r = options ? Response::Text(200, "") : Response::Text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", AllowList(route->methods) + ", OPTIONS");
    Answer(connection, *request, std::move(r));
    return;
  }
  bool queued = handlers_->Submit([this, connection, request, route] {
    Response response;
    try {
      response = route->handler(*request);
    } catch (const std::exception& e) {
      // The route, not the path: a path may carry a secret (/ping/<token>).
      log::Error("handler failed", {{"route", route->path}, {"err", e.what()}});
      response = Response::Text(500, "internal error\n");
    }
    Answer(connection, *request, std::move(response));
  });
  if (!queued) {  // only while the server stops
    Answer(connection, *request, Response::Text(503, "503 Service Unavailable\n"));
  }
}

void Server::Answer(std::uint64_t connection, const Request& request, Response response) {
  const RequestHead& head = request.head();
  Framing framing{.head = request.method() == "HEAD",
                  .gzip = AcceptsGzip(request.Header("Accept-Encoding")),
                  .keep_alive = head.keep_alive,
                  .http10 = head.minor_version == 0};
  const std::size_t body_size = response.body.size();
  loop_->Respond(connection, Serialize(std::move(response), framing), framing.keep_alive);
  // A large answer (a scrape of hundreds of interfaces or mounts) leaves tens
  // of thousands of freed blocks and its text in malloc's heap, resident until
  // the next such answer: at 500 interfaces 3.7 MB of 13.6. Give them back
  // now. Small answers skip it: their few pages would only be faulted in
  // again by the next request.
  if (body_size > kTrimAfterBodyBytes) {
    malloc_trim(0);
  }
}

std::shared_ptr<const Server::AuthPolicy> Server::auth() const {
  std::lock_guard lock(auth_mutex_);
  return auth_;
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

}  // namespace vitals::http
