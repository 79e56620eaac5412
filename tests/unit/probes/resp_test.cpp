#include "collectors/probes/resp.h"

#include <catch2/catch.hpp>

using vitals::probes::EncodeRespCommand;
using vitals::probes::ParseResp;
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
    CHECK(ParseResp("$99999999999\r\n").error.find("more than") != std::string::npos);
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
