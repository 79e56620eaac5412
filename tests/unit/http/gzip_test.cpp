#include <catch2/catch.hpp>

#include <zlib.h>

#include <random>
#include <string>

#include "agent/http/server.h"

using vitals::http::AcceptsGzip;
using vitals::http::Gzip;

namespace {

// Inflates a gzip stream with zlib (15 window bits + 16: expect the gzip wrapper).
std::string Gunzip(const std::string& data, std::size_t expected_size) {
  z_stream zs{};
  REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK);
  std::string out(expected_size + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  REQUIRE(rc == Z_STREAM_END);
  return out;
}

}  // namespace

TEST_CASE("AcceptsGzip", "[agent]") {
  CHECK(AcceptsGzip("gzip"));
  CHECK(AcceptsGzip("deflate, gzip;q=1.0"));
  CHECK(AcceptsGzip("gzip, deflate, br"));
  CHECK(AcceptsGzip("*"));
  CHECK(AcceptsGzip("identity;q=1, gzip;q=0.5"));
  CHECK(AcceptsGzip("gzip;q=0.001"));
  CHECK(AcceptsGzip("gzip ; q=0.8"));
  CHECK(AcceptsGzip("GZIP"));  // content codings are case-insensitive (RFC 9110 8.4.1)
  CHECK(AcceptsGzip("x-gzip"));  // the old alias, still equivalent to gzip
  CHECK(AcceptsGzip("*;q=0, gzip"));  // an explicit gzip overrides "*"

  CHECK_FALSE(AcceptsGzip(""));
  CHECK_FALSE(AcceptsGzip("identity"));
  CHECK_FALSE(AcceptsGzip("deflate, br"));
  CHECK_FALSE(AcceptsGzip("gzip;q=0"));
  CHECK_FALSE(AcceptsGzip("gzip;q=0.0"));
  CHECK_FALSE(AcceptsGzip("gzip;q=0.000"));
  CHECK_FALSE(AcceptsGzip("*;q=0"));
  CHECK_FALSE(AcceptsGzip("gzip;q=0, *"));  // explicitly refused, whatever "*" says
  CHECK_FALSE(AcceptsGzip("gzipx"));
  CHECK_FALSE(AcceptsGzip("notgzip"));
}

TEST_CASE("Gzip round-trips through zlib's inflate", "[agent]") {
  SECTION("exposition text") {
    std::string text;
    for (int i = 0; i < 500; ++i) {
      text += "node_cpu_seconds_total{cpu=\"" + std::to_string(i % 8) + "\",mode=\"idle\"} " +
              std::to_string(i * 1234.5) + "\n";
    }
    std::string gz = Gzip(text);
    REQUIRE(gz.size() > 18);
    CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);  // gzip magic
    CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
    CHECK(gz.size() < text.size() / 4);
    CHECK(Gunzip(gz, text.size()) == text);
  }
  SECTION("incompressible bytes, including NULs") {
    std::mt19937 rng(42);
    std::string data(100000, '\0');
    for (char& c : data) {
      c = static_cast<char>(rng() & 0xff);
    }
    std::string gz = Gzip(data);
    REQUIRE_FALSE(gz.empty());
    CHECK(Gunzip(gz, data.size()) == data);
  }
  SECTION("empty input still makes a valid stream") {
    std::string gz = Gzip("");
    REQUIRE_FALSE(gz.empty());
    CHECK(Gunzip(gz, 0).empty());
  }
}

TEST_CASE("Gzip again and again: each body is its own stream", "[agent]") {
  // Compressors are kept between responses; each body must still come out
  // as a whole gzip stream, the same bytes as the first time.
  std::string first(5000, 'a');
  std::string second;
  for (int i = 0; i < 2000; ++i) {
    second += "vitals_sample{i=\"" + std::to_string(i) + "\"} 1\n";
  }
  std::string gz_first = Gzip(first);
  std::string gz_second = Gzip(second);
  CHECK(Gunzip(gz_first, first.size()) == first);
  CHECK(Gunzip(gz_second, second.size()) == second);
  CHECK(Gzip(first) == gz_first);
  CHECK(Gzip(second) == gz_second);
}
