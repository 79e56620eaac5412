#pragma once
// What a handler answers, and its bytes on the wire: status line, the
// headers every answer carries (security headers, Date, Content-Length,
// Connection), gzip when the client accepts it, no body for HEAD.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vitals::http {

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Text(int status, std::string body);
};

// How a response goes out, from the request it answers.
struct Framing {
  bool head = false;         // HEAD: headers only, the Content-Length of the body
  bool gzip = false;         // the client accepts gzip (compressed when worth it)
  bool keep_alive = true;    // false: "Connection: close", and the server closes
  bool http10 = false;       // an HTTP/1.0 client that keeps alive gets "Connection: keep-alive"
};

// The response's bytes, ready to send.
std::string Serialize(Response response, const Framing& framing);

// Standard reason phrase ("Not Found"); "Unknown" for codes vitals never sends.
std::string_view ReasonPhrase(int status);

// Gzip-compresses `data` (libdeflate, level 1, one gzip member); exposed for tests.
std::string Gzip(std::string_view data);
// True when an Accept-Encoding header value allows gzip.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace vitals::http
