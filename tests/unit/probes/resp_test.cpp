#include "agent/probes/resp.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>

using vitals::probes::EncodeRespCommand;
using vitals::probes::ParseResp;
using vitals::probes::RespParser;
using Status = vitals::probes::RespParse::Status;
using Type = vitals::probes::RespValue::Type;

TEST_CASE("ParseResp: the reply types of RESP2", "[probes]") {
  SECTION("simple string") {
    auto p = ParseResp("+PONG\r\n");
    REQUIRE(p.status == Status::kComplete);
    CHECK(p.value.type == Type::kSimple);
    CHECK(p.value.text == "PONG");
    CHECK(p.consumed == 7);
  }
  SECTION("error") {
    auto p = ParseResp("-WRONGPASS invalid username-password pair\r\n+OK\r\n");
    REQUIRE(p.status == Status::kComplete);
    CHECK(p.value.type == Type::kError);
    CHECK(p.value.text == "WRONGPASS invalid username-password pair");
    CHECK(p.consumed == 43);  // the next reply is left for the next call
  }
  SECTION("integer, negative, past 2^32") {
    auto p = ParseResp(":-5000000000\r\n");
    REQUIRE(p.status == Status::kComplete);
    CHECK(p.value.integer == -5'000'000'000);
  }
  SECTION("bulk string with CRLF inside (binary safe)") {
    auto p = ParseResp("$12\r\nline1\r\nline2\r\n");
    REQUIRE(p.status == Status::kComplete);
    CHECK(p.value.type == Type::kBulk);
    CHECK(p.value.text == "line1\r\nline2");
  }
  SECTION("empty bulk and null bulk") {
    CHECK(ParseResp("$0\r\n\r\n").value.text.empty());
    CHECK(ParseResp("$-1\r\n").value.type == Type::kNull);
    CHECK(ParseResp("*-1\r\n").value.type == Type::kNull);
  }
  SECTION("nested array") {
    auto p = ParseResp("*2\r\n$3\r\nfoo\r\n*2\r\n:1\r\n+x\r\n");
    REQUIRE(p.status == Status::kComplete);
    REQUIRE(p.value.elements.size() == 2);
    CHECK(p.value.elements[0].text == "foo");
    CHECK(p.value.elements[1].elements[0].integer == 1);
    CHECK(p.value.elements[1].elements[1].text == "x");
  }
}

TEST_CASE("ParseResp: incomplete input asks for more", "[probes]") {
  for (const char* partial : {"", "+PON", "+PONG\r", "$5\r\nhel", "$5\r\nhello\r", "*2\r\n:1\r\n",
                              ":12"}) {
    INFO(partial);
    CHECK(ParseResp(partial).status == Status::kIncomplete);
  }
}

TEST_CASE("ParseResp: protocol violations are errors, not crashes", "[probes]") {
  SECTION("not RESP at all (an HTTP server)") {
    auto p = ParseResp("HTTP/1.1 400 Bad Request\r\n");
    REQUIRE(p.status == Status::kInvalid);
    CHECK(p.error == "unknown reply type byte 0x48 (is this a Redis server?)");
  }
  SECTION("bad lengths") {
    CHECK(ParseResp("$abc\r\n").status == Status::kInvalid);
    CHECK(ParseResp("$-2\r\n").status == Status::kInvalid);
    CHECK(ParseResp("*-7\r\n").status == Status::kInvalid);
    CHECK(ParseResp(":1x\r\n").status == Status::kInvalid);
    CHECK(ParseResp(":\r\n").status == Status::kInvalid);
  }
  SECTION("bulk without its CRLF") {
    CHECK(ParseResp("$3\r\nfooXY").status == Status::kInvalid);
  }
  SECTION("limits: huge bulk, huge array, deep nesting") {
    CHECK(ParseResp("$99999999999\r\n").error ==
          "a bulk string of 99999999999 bytes makes the reply longer than 1048576 bytes");
    CHECK(ParseResp("*100000\r\n").error.find("more than") != std::string::npos);
    std::string deep;
    for (int i = 0; i < 20; ++i) {
      deep += "*1\r\n";
    }
    deep += ":1\r\n";
    CHECK(ParseResp(deep).status == Status::kInvalid);
  }
}

TEST_CASE("EncodeRespCommand: arrays of bulk strings", "[probes]") {
  const std::vector<std::string> auth = {"AUTH", "user", "p a\r\nss"};
  CHECK(EncodeRespCommand(auth) == "*3\r\n$4\r\nAUTH\r\n$4\r\nuser\r\n$7\r\np a\r\nss\r\n");
  auto round = ParseResp(EncodeRespCommand(auth));
  REQUIRE(round.status == Status::kComplete);
  CHECK(round.value.elements[2].text == "p a\r\nss");
}

TEST_CASE("RespParser: any chunking gives the same reply, each byte read once", "[probes]") {
  const std::string reply = "*3\r\n$12\r\nline1\r\nline2\r\n*2\r\n:-7\r\n+OK\r\n$-1\r\n+NEXT\r\n";
  for (std::size_t chunk = 1; chunk <= reply.size(); ++chunk) {
    INFO("chunk " << chunk);
    RespParser parser;
    std::size_t pos = 0;
    while (parser.status() == Status::kIncomplete) {
      const std::size_t n = std::min(chunk, reply.size() - pos);
      const std::size_t used = parser.Feed(std::string_view(reply).substr(pos, n));
      REQUIRE((used == n || parser.status() == Status::kComplete));
      pos += used;
    }
    REQUIRE(pos == reply.size() - 7);  // "+NEXT\r\n" is the next reply's
    REQUIRE(parser.consumed() == pos);
    auto v = parser.Take();
    REQUIRE(v.elements.size() == 3);
    CHECK(v.elements[0].text == "line1\r\nline2");
    CHECK(v.elements[1].elements[0].integer == -7);
    CHECK(v.elements[1].elements[1].text == "OK");
    CHECK(v.elements[2].type == Type::kNull);
    // Ready for the next reply.
    REQUIRE(parser.Feed("+NEXT\r\n") == 7);
    CHECK(parser.Take().text == "NEXT");
  }
}

TEST_CASE("RespParser: a reply is at most 1 MiB whatever builds it", "[probes]") {
  SECTION("a bulk string is refused by its length, before it comes") {
    RespParser parser;
    parser.Feed("$1048575\r\n");
    CHECK(parser.status() == Status::kInvalid);
    CHECK(parser.error() ==
          "a bulk string of 1048575 bytes makes the reply longer than 1048576 bytes");
  }
  SECTION("1024 x 1 MiB (a flood answering PING): refused at the first header") {
    RespParser parser;
    const std::string element = "$1048576\r\n" + std::string(1 << 20, 'x') + "\r\n";
    std::size_t fed = parser.Feed("*1024\r\n");
    fed += parser.Feed(element);
    CHECK(parser.status() == Status::kInvalid);
    CHECK(fed == 17);
  }
  SECTION("many bulk strings that fit one by one") {
    RespParser parser;
    const std::string element = "$65536\r\n" + std::string(1 << 16, 'x') + "\r\n";
    parser.Feed("*1024\r\n");
    std::size_t fed = 0;
    for (int i = 0; i < 20 && parser.status() == Status::kIncomplete; ++i) {
      fed += parser.Feed(element);
    }
    CHECK(parser.error() ==
          "a bulk string of 65536 bytes makes the reply longer than 1048576 bytes");
    CHECK(fed < (1u << 20));
  }
  SECTION("a line that never ends") {
    RespParser parser;
    parser.Feed("+");
    const std::string chunk(64 << 10, 'a');
    for (int i = 0; i < 20 && parser.status() == Status::kIncomplete; ++i) {
      parser.Feed(chunk);
    }
    CHECK(parser.error() == "reply longer than 1048576 bytes");
    CHECK(parser.consumed() == (1u << 20));
  }
  SECTION("too many values") {
    std::string many = "*1000\r\n";
    for (int i = 0; i < 1000; ++i) {
      many += "*1\r\n:1\r\n";
    }
    CHECK(ParseResp(many).error == "more than 1024 values in one reply");
  }
}

TEST_CASE("RespParser: time is linear in the reply, whatever the chunks", "[probes]") {
  // A 1000 KiB bulk string fed whole, then 16 bytes at a time: the small
  // chunks must not cost more than a small factor (a parser that re-parses
  // what it buffered costs ~65,000x here: 64,000 chunks, each re-reading up
  // to 1000 KiB).
  const std::string reply = "$1024000\r\n" + std::string(1024000, 'x') + "\r\n";
  auto parse_in = [&](std::size_t chunk) {
    const auto start = std::chrono::steady_clock::now();
    RespParser parser;
    for (std::size_t pos = 0; pos < reply.size(); pos += chunk) {
      parser.Feed(std::string_view(reply).substr(pos, chunk));
    }
    REQUIRE(parser.status() == Status::kComplete);
    REQUIRE(parser.Take().text.size() == 1024000);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const double whole = parse_in(reply.size());
  const double small = parse_in(16);
  // Generous for noisy machines and sanitizers; quadratic work would take minutes.
  CHECK(small < 0.5);
  INFO("whole " << whole << " s, 16-byte chunks " << small << " s");
  CHECK(small < std::max(0.05, whole * 200));
}
