#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "agent/http/server.h"

using vitals::http::Request;
using vitals::http::Response;
using vitals::http::Route;
using vitals::http::Server;

namespace {

// Sends `request` to 127.0.0.1:`port` (or ::1), half-closes, returns all the agent sent back.
std::string Exchange(int port, const std::string& request, bool ipv6 = false) {
  int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<std::uint16_t>(port));
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<std::uint16_t>(port));
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  }
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0);
  REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size()));
  shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  ssize_t n = 0;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return out;
}

std::unique_ptr<Server> StartEcho(const std::string& host) {
  std::vector<Route> routes;
  routes.push_back({"/echo",
                    [](const Request& r) {
                      return Response::Text(200, "body=" + std::string(r.body()) + ";");
                    },
                    false,
                    {"POST"}});
  Server::Options options;
  options.host = host;
  options.web.limits.max_body_bytes = 16;
  auto started = Server::Start(options, std::move(routes));
  if (auto* err = std::get_if<std::string>(&started)) {
    FAIL(*err);
  }
  return std::move(std::get<std::unique_ptr<Server>>(started));
}

}  // namespace

TEST_CASE("Server: Request::body() holds the body, whatever its framing", "[http]") {
  auto server = StartEcho("127.0.0.1");
  const std::string head = "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  SECTION("Content-Length") {
    CHECK_THAT(Exchange(server->port(), head + "Content-Length: 5\r\n\r\nhello"),
               Catch::EndsWith("body=hello;"));
  }
  SECTION("chunked, with an extension and a trailer") {
    CHECK_THAT(Exchange(server->port(),
                        head + "Transfer-Encoding: chunked\r\n\r\n3;x=y\r\nhel\r\n2\r\nlo\r\n0\r\n"
                               "T: v\r\n\r\n"),
               Catch::EndsWith("body=hello;"));
  }
  SECTION("Expect: 100-continue: the interim answer, then the final one") {
    std::string reply = Exchange(server->port(), head + "Expect: 100-continue\r\n"
                                                        "Content-Length: 5\r\n\r\nhello");
    // The body came with the head here, so no 100 is owed.
    CHECK_THAT(reply, Catch::StartsWith("HTTP/1.1 200 OK\r\n"));
    CHECK_THAT(reply, Catch::EndsWith("body=hello;"));
  }
  SECTION("over max_body_bytes: 413 naming the limit, the handler not run") {
    std::string reply = Exchange(server->port(), head + "Content-Length: 17\r\n\r\n" +
                                                     std::string(17, 'x'));
    CHECK_THAT(reply, Catch::StartsWith("HTTP/1.1 413 Content Too Large\r\n"));
    CHECK_THAT(reply, Catch::Contains("max_body_bytes (16 bytes)"));
    CHECK_THAT(reply, !Catch::Contains("body="));
  }
}

TEST_CASE("Server: the wildcard listens on IPv6 and IPv4, [::1] on IPv6 only", "[http]") {
  int probe = socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 loop6{};
  loop6.sin6_family = AF_INET6;
  loop6.sin6_addr = in6addr_loopback;
  bool has_ipv6 = probe >= 0 && bind(probe, reinterpret_cast<sockaddr*>(&loop6), sizeof loop6) == 0;
  if (probe >= 0) {
    close(probe);
  }
  if (!has_ipv6) {
    WARN("no IPv6 loopback here; skipped");
    return;
  }
  const std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok";
  auto any = StartEcho("");
  CHECK_THAT(Exchange(any->port(), request, true), Catch::EndsWith("body=ok;"));
  CHECK_THAT(Exchange(any->port(), request, false), Catch::EndsWith("body=ok;"));
  auto v6 = StartEcho("::1");
  CHECK_THAT(Exchange(v6->port(), request, true), Catch::EndsWith("body=ok;"));
}

TEST_CASE("Server: a route that checks sent credentials tells its handler who passed",
          "[http]") {
  std::vector<Route> routes;
  auto who = [](const Request& r) {
    return Response::Text(200, r.authenticated() ? "signed in" : "anonymous");
  };
  routes.push_back({"/page", who, false, {"GET"}, false, true});
  routes.push_back({"/plain", who});
  Server::Options options;
  options.host = "127.0.0.1";
  // prometheus / scrape-secret, bcrypt cost 10 (as in e2e test_web_auth.py).
  options.web.basic_auth_users = {
      {"prometheus", "$2b$10$fg6OwTWv/vCRtsTQvBPRDOLCd/msyEcTTZIClI4hsJY/furkqP6Ym"}};
  options.web.protected_paths = {"/metrics"};
  auto started = Server::Start(options, std::move(routes));
  REQUIRE(std::holds_alternative<std::unique_ptr<Server>>(started));
  auto& server = std::get<std::unique_ptr<Server>>(started);
  CHECK(server->has_users());
  auto get = [&](const std::string& path, const std::string& auth) {
    return Exchange(server->port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                        (auth.empty() ? "" : "Authorization: " + auth + "\r\n") +
                                        "\r\n");
  };
  const std::string right = "Basic cHJvbWV0aGV1czpzY3JhcGUtc2VjcmV0";  // prometheus:scrape-secret
  const std::string wrong = "Basic cHJvbWV0aGV1czp3cm9uZw==";          // prometheus:wrong
  CHECK_THAT(get("/page", ""), Catch::EndsWith("\r\n\r\nanonymous"));
  CHECK_THAT(get("/page", right), Catch::EndsWith("\r\n\r\nsigned in"));
  CHECK_THAT(get("/page", right), Catch::EndsWith("\r\n\r\nsigned in"));  // cached
  CHECK_THAT(get("/page", wrong), Catch::StartsWith("HTTP/1.1 401 Unauthorized\r\n"));
  // Other routes do not look at credentials on a path nobody protects.
  CHECK_THAT(get("/plain", right), Catch::EndsWith("\r\n\r\nanonymous"));
  CHECK_THAT(get("/plain", wrong), Catch::EndsWith("\r\n\r\nanonymous"));
}
