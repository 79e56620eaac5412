#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "agent/http/request_head.h"

using vitals::http::ChunkedDecoder;
using vitals::http::DecodePath;
using vitals::http::FindHeadEnd;
using vitals::http::HeadError;
using vitals::http::LeadingEmptyLines;
using vitals::http::ParseRequestHead;
using vitals::http::RequestHead;

namespace {

RequestHead Parsed(std::string_view head) {
  auto r = ParseRequestHead(head);
  if (auto* e = std::get_if<HeadError>(&r)) {
    FAIL("refused with " << e->status << ": " << e->reason);
  }
  return std::get<RequestHead>(r);
}

int Refused(std::string_view head) {
  auto r = ParseRequestHead(head);
  auto* e = std::get_if<HeadError>(&r);
  return e != nullptr ? e->status : 200;
}

}  // namespace

TEST_CASE("FindHeadEnd: the blank line, CRLF or bare LF, found once over a trickle", "[http]") {
  std::size_t scanned = 0;
  CHECK(FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n\r\nrest", &scanned) == 27);
  scanned = 0;
  CHECK(FindHeadEnd("GET / HTTP/1.1\nHost: x\n\n", &scanned) == 24);
  SECTION("byte by byte") {
    std::string head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    std::string buf;
    scanned = 0;
    std::size_t found = std::string::npos;
    for (char c : head) {
      buf += c;
      found = FindHeadEnd(buf, &scanned);
      if (found != std::string::npos) {
        break;
      }
      CHECK(scanned <= buf.size());
    }
    CHECK(found == head.size());
  }
  SECTION("no blank line yet") {
    scanned = 0;
    CHECK(FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n", &scanned) == std::string::npos);
    CHECK(FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n\r", &scanned) == std::string::npos);
  }
  CHECK(LeadingEmptyLines("\r\n\nGET") == 3);
  CHECK(LeadingEmptyLines("\r") == 0);
}

TEST_CASE("ParseRequestHead: request line, fields, framing", "[http]") {
  SECTION("an ordinary GET") {
    auto h = Parsed("GET /metrics?x=1&y=%20 HTTP/1.1\r\nHost: a:9810\r\nAccept: */*\r\n\r\n");
    CHECK(h.method == "GET");
    CHECK(h.path == "/metrics");
    CHECK(h.query == "x=1&y=%20");
    CHECK(h.minor_version == 1);
    CHECK(h.keep_alive);
    CHECK(h.Header("accept") == "*/*");
    CHECK(h.Header("Absent").empty());
  }
  SECTION("a TAB in a field value is legal, and OWS around it is trimmed") {
    auto h = Parsed("GET / HTTP/1.1\r\nHost: x\r\nX-A: \t a\tb \t\r\n\r\n");
    CHECK(h.Header("X-A") == "a\tb");
  }
  SECTION("bare LF line ends") {
    CHECK(Parsed("GET / HTTP/1.1\nHost: x\n\n").path == "/");
  }
  SECTION("keep-alive: 1.1 unless close, 1.0 only when asked") {
    CHECK_FALSE(Parsed("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n").keep_alive);
    CHECK_FALSE(Parsed("GET / HTTP/1.0\r\n\r\n").keep_alive);
    CHECK(Parsed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
    CHECK(Parsed("GET / HTTP/1.1\r\nHost: x\r\nConnection: TE, keep-alive\r\n\r\n").keep_alive);
  }
  SECTION("Content-Length, repeated with the same value") {
    CHECK(Parsed("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n").content_length == 5);
    CHECK(Parsed("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n")
              .content_length == 5);
    CHECK(Parsed("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n")
              .content_length == UINT64_MAX);  // the body limit refuses it (413)
  }
  SECTION("chunked") {
    auto h = Parsed("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n");
    CHECK(h.chunked);
    CHECK(h.content_length == 0);
  }
  SECTION("Expect: 100-continue, ignored in HTTP/1.0") {
    CHECK(Parsed("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\n\r\n").expect_continue);
    CHECK_FALSE(Parsed("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").expect_continue);
    CHECK(Refused("POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n") == 417);
  }
  SECTION("request targets: absolute-form is served as its path, * only for OPTIONS") {
    auto h = Parsed("GET http://127.0.0.1:9810/metrics?a=b HTTP/1.1\r\nHost: other\r\n\r\n");
    CHECK(h.path == "/metrics");
    CHECK(h.query == "a=b");
    CHECK(Parsed("GET HTTPS://example.com HTTP/1.1\r\nHost: x\r\n\r\n").path == "/");
    CHECK(Parsed("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").path == "*");
    CHECK(Refused("GET * HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
    CHECK(Refused("CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
    CHECK(Refused("GET ftp://x/ HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
    CHECK(Refused("GET http:///metrics HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
    CHECK(Refused("GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
  }
}

TEST_CASE("ParseRequestHead: what RFC 9112 says to refuse", "[http]") {
  auto status = GENERATE(table<std::string, int>({
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
      {"GET /metrics%00.html HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /a%0d%0aX: y HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /a% HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /a%7f HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n", 400},
      {std::string("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", 35), 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n continued\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nX(y): z\r\n\r\n", 400},
      {"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400},
      {"GET /\r\n\r\n", 400},
      {"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /\x80 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
      {"GET / http/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400},
  }));
  CAPTURE(std::get<0>(status));
  CHECK(Refused(std::get<0>(status)) == std::get<1>(status));
}

TEST_CASE("DecodePath: %-escapes and dot segments", "[http]") {
  std::string out;
  auto decoded = [&](std::string_view raw) {
    REQUIRE(DecodePath(raw, &out));
    return out;
  };
  CHECK(decoded("/metrics") == "/metrics");
  CHECK(decoded("/health/%61pi") == "/health/api");
  CHECK(decoded("/a/./b/../c") == "/a/c");
  CHECK(decoded("/a/b/..") == "/a/");
  CHECK(decoded("/..") == "/");
  CHECK(decoded("/../../debug/state") == "/debug/state");
  CHECK(decoded("/%2e%2e/x") == "/x");
  CHECK(decoded("/a/") == "/a/");
  CHECK(decoded("/%C3%A9") == "/\xC3\xA9");  // UTF-8 is fine, control bytes are not
  CHECK_FALSE(DecodePath("/%00", &out));
  CHECK_FALSE(DecodePath("/%1f", &out));
  CHECK_FALSE(DecodePath("/%4", &out));
}

TEST_CASE("ChunkedDecoder: data, extensions, trailers, limits, byte by byte", "[http]") {
  const std::string body = "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: y\r\n\r\nNEXT";
  SECTION("at once") {
    ChunkedDecoder d(1024);
    std::string out;
    std::size_t used = 0;
    CHECK(d.Feed(body, &used, &out) == ChunkedDecoder::Status::kDone);
    CHECK(out == "Wikipedia in\r\n\r\nchunks.");
    CHECK(body.substr(used) == "NEXT");
  }
  SECTION("byte by byte") {
    ChunkedDecoder d(1024);
    std::string out;
    auto status = ChunkedDecoder::Status::kMore;
    std::size_t i = 0;
    for (; i < body.size() && status == ChunkedDecoder::Status::kMore; ++i) {
      std::size_t used = 0;
      status = d.Feed(std::string_view(body).substr(i, 1), &used, &out);
      CHECK(used == 1);
    }
    CHECK(status == ChunkedDecoder::Status::kDone);
    CHECK(out == "Wikipedia in\r\n\r\nchunks.");
    CHECK(body.substr(i) == "NEXT");
  }
  SECTION("over the limit") {
    ChunkedDecoder d(8);
    std::string out;
    std::size_t used = 0;
    CHECK(d.Feed("5\r\nabcde\r\n5\r\nabcde\r\n0\r\n\r\n", &used, &out) ==
          ChunkedDecoder::Status::kTooLarge);
    CHECK(out == "abcde");
  }
  SECTION("malformed") {
    for (const std::string& bad :
         std::vector<std::string>{"x\r\n", "5\r\nabcdeX\r\n", "fffffffffffffffff\r\n",
                                  "1;" + std::string(5000, 'e')}) {
      ChunkedDecoder d(1 << 20);
      std::string out;
      std::size_t used = 0;
      CAPTURE(bad.substr(0, 40));
      CHECK(d.Feed(bad, &used, &out) == ChunkedDecoder::Status::kMalformed);
    }
  }
}
