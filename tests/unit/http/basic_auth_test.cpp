#include "agent/http/basic_auth.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using vitals::http::BasicAuth;
using vitals::http::ConstantTimeEquals;
using vitals::http::DecodeBase64;
using vitals::http::IsBcryptHash;
using vitals::http::ParseBasicAuthorization;

namespace {

// OpenBSD's bcrypt test vector: password "U*U".
constexpr const char* kUuHash = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
// htpasswd-style $2b$ at cost 10 for "scrape-secret".
constexpr const char* kScrapeHash = "$2b$10$fg6OwTWv/vCRtsTQvBPRDOLCd/msyEcTTZIClI4hsJY/furkqP6Ym";

std::string Basic(std::string_view user_password) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < user_password.size(); i += 3) {
    unsigned bits = static_cast<unsigned char>(user_password[i]) << 16;
    if (i + 1 < user_password.size()) bits |= static_cast<unsigned char>(user_password[i + 1]) << 8;
    if (i + 2 < user_password.size()) bits |= static_cast<unsigned char>(user_password[i + 2]);
    out += kAlphabet[(bits >> 18) & 63];
    out += kAlphabet[(bits >> 12) & 63];
    out += i + 1 < user_password.size() ? kAlphabet[(bits >> 6) & 63] : '=';
    out += i + 2 < user_password.size() ? kAlphabet[bits & 63] : '=';
  }
  return "Basic " + out;
}

}  // namespace

TEST_CASE("IsBcryptHash", "[http][auth]") {
  std::string why;
  CHECK(IsBcryptHash(kUuHash, &why));
  CHECK(IsBcryptHash(kScrapeHash, &why));
  CHECK_FALSE(IsBcryptHash("$1$abc", &why));
  CHECK(why == "got 6 characters instead of 60");
  std::string md5crypt_len60 = "$1$" + std::string(57, 'a');
  CHECK_FALSE(IsBcryptHash(md5crypt_len60, &why));
  CHECK(why == "it does not start with $2a$, $2b$ or $2y$");
  std::string cost = kUuHash;
  cost[4] = '3';
  cost[5] = '2';
  CHECK_FALSE(IsBcryptHash(cost, &why));
  CHECK(why == "the cost 32 is outside 04..31");
  std::string bad_char = kUuHash;
  bad_char[30] = '!';
  CHECK_FALSE(IsBcryptHash(bad_char, &why));
}

TEST_CASE("DecodeBase64 is strict", "[http][auth]") {
  CHECK(DecodeBase64("dXNlcjpwYXNz") == "user:pass");
  CHECK(DecodeBase64("YQ==") == "a");
  CHECK(DecodeBase64("YWI=") == "ab");
  CHECK(DecodeBase64("") == "");
  CHECK_FALSE(DecodeBase64("YQ").has_value());      // padding required
  CHECK_FALSE(DecodeBase64("Y===").has_value());    // too much padding
  CHECK_FALSE(DecodeBase64("YQ==YQ==").has_value()); // data after padding
  CHECK_FALSE(DecodeBase64("dXNl cjpw").has_value());
}

TEST_CASE("ParseBasicAuthorization", "[http][auth]") {
  auto c = ParseBasicAuthorization("Basic dXNlcjpwYTpzcw==");  // user:pa:ss
  REQUIRE(c.has_value());
  CHECK(c->user == "user");
  CHECK(c->password == "pa:ss");  // only the first ':' splits
  CHECK(ParseBasicAuthorization("basic dXNlcjpwYTpzcw==").has_value());
  CHECK_FALSE(ParseBasicAuthorization("").has_value());
  CHECK_FALSE(ParseBasicAuthorization("Bearer abc").has_value());
  CHECK_FALSE(ParseBasicAuthorization("Basic dXNlcg==").has_value());  // "user", no ':'
  CHECK_FALSE(ParseBasicAuthorization(Basic(std::string("u:p\0x", 5))).has_value());  // NUL
}

TEST_CASE("ConstantTimeEquals", "[http][auth]") {
  CHECK(ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abcd"));
  CHECK(ConstantTimeEquals("", ""));
}

TEST_CASE("BasicAuth::Check", "[http][auth]") {
  BasicAuth auth(BasicAuth::Users{{"alice", kUuHash}, {"prometheus", kScrapeHash}});
  CHECK(auth.Check(Basic("alice:U*U")));
  CHECK(auth.Check(Basic("alice:U*U")));  // again, from the cache
  CHECK(auth.Check(Basic("prometheus:scrape-secret")));
  CHECK_FALSE(auth.Check(Basic("alice:U*V")));
  CHECK_FALSE(auth.Check(Basic("alice:")));
  CHECK_FALSE(auth.Check(Basic("Alice:U*U")));  // user names are case-sensitive
  CHECK_FALSE(auth.Check(Basic("mallory:U*U")));
  CHECK_FALSE(auth.Check(Basic("prometheus:U*U")));  // another user's password
  CHECK_FALSE(auth.Check("Basic !!!"));
  CHECK_FALSE(auth.Check(""));
  CHECK_FALSE(BasicAuth(BasicAuth::Users{}).Check(Basic("alice:U*U")));

  SECTION("the dummy hash for unknown users has the users' highest cost") {
    std::string why;
    REQUIRE(IsBcryptHash(auth.dummy_hash_for_test(), &why));
    CHECK(auth.dummy_hash_for_test().substr(0, 7) == "$2b$10$");
  }
}

TEST_CASE("BasicAuth: an unknown user costs as much as a wrong password", "[http][auth]") {
  BasicAuth auth(BasicAuth::Users{{"prometheus", kScrapeHash}});
  using Clock = std::chrono::steady_clock;
  auto time_of = [&](const std::string& header) {
    // Best of 3, so a scheduling hiccup does not decide the comparison.
    auto best = Clock::duration::max();
    for (int i = 0; i < 3; ++i) {
      auto start = Clock::now();
      CHECK_FALSE(auth.Check(header));
      best = std::min(best, Clock::now() - start);
    }
    return std::chrono::duration<double>(best).count();
  };
  double known = time_of(Basic("prometheus:wrong"));
  double unknown = time_of(Basic("nobody:wrong"));
  INFO("known user, wrong password: " << known << " s; unknown user: " << unknown << " s");
  // Both run one bcrypt at cost 10 (tens of milliseconds); without the dummy
  // hash the unknown user would answer in microseconds.
  CHECK(unknown > known * 0.5);
  CHECK(unknown < known * 2.0);
}
