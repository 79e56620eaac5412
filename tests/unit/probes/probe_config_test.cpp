#include "config/probes.h"

#include "agent/health/kind.h"
#include "config/config.h"
#include "tests/unit/config_problems.h"

#include <catch2/catch.hpp>

using namespace vitals::config;

namespace {

struct Read {
  std::vector<std::string> problems;
};

// The problems of one check of `kind` with the keys of the object `text`,
// read as the agent reads it (the kinds' table handed to config::Parse).
Read ReadText(std::string_view kind, const std::string& text,
              std::map<std::string, std::string> env = {}) {
  auto check = nlohmann::json::parse(text);
  check["name"] = "t";
  check["kind"] = kind;
  EnvLookup lookup = [env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) {
      return std::nullopt;
    }
    return it->second;
  };
  Read out;
  out.problems = vitals::testing::ConfigProblems([&] {
    Parse(nlohmann::json{{"checks", {check}}}.dump(), "test.json", lookup,
          vitals::health::CheckKinds::Builtin().table());
  });
  return out;
}

}  // namespace

TEST_CASE("ParseStatusRange: expected-status lists", "[probes]") {
  std::string error;
  CHECK(ParseStatusRange("2xx", &error) == StatusRange{200, 299});
  CHECK(ParseStatusRange("5xx", &error) == StatusRange{500, 599});
  CHECK(ParseStatusRange("204", &error) == StatusRange{204, 204});
  CHECK(ParseStatusRange("300-308", &error) == StatusRange{300, 308});
  for (const char* bad : {"", "6xx", "0xx", "2x", "99", "600", "308-300", "200-", "-200", "abc",
                          "200-299-300", "2XX", " 200"}) {
    INFO(bad);
    CHECK_FALSE(ParseStatusRange(bad, &error));
  }
  CHECK(error.find("expected a status code like 200") == 0);

  CHECK(StatusMatches({}, 200));
  CHECK(StatusMatches({}, 299));
  CHECK_FALSE(StatusMatches({}, 301));
  const std::vector<StatusRange> list = {{200, 200}, {301, 302}};
  CHECK(StatusMatches(list, 302));
  CHECK_FALSE(StatusMatches(list, 204));
}

TEST_CASE("probe kinds: each kind's keys, with JSON pointers in every error", "[probes]") {
  SECTION("http with everything") {
    auto r = ReadText("http", R"({"name":"web","kind":"http","url":"https://h/x","method":"POST",
      "headers":{"X-A":"${TOKEN}"},"body":"{}","expect_status":[200,"3xx","401-403"],
      "body_regex":"ok|fine","follow_redirects":false,"max_redirects":3,
      "tls":{"ca_file":"/ca.pem","insecure_skip_verify":true},"username":"u",
      "password":"${PW}","degraded_latency":"250ms"})",
                      {{"TOKEN", "t0k"}, {"PW", "s3cret"}});
    CHECK(r.problems.empty());
  }
  SECTION("unknown keys, also of another kind, and bad values") {
    auto r = ReadText("http", R"({"name":"web","kind":"http","url":"ftp://h","dsn":"x",
      "expect_status":[200,"6xx",true],"body_regex":"(","tls":{"cafile":"x"},"method":"get",
      "password":"p"})");
    CHECK_THAT(r.problems, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
        "/checks/0/dsn: only allowed with kind postgres",
        "/checks/0/url: expected an http:// or https:// URL, got \"ftp://h\"",
        "/checks/0/expect_status/1: expected a status code like 200, \"2xx\" or \"200-204\" (100 to "
        "599), got \"6xx\"",
        "/checks/0/expect_status/2: expected a status code like 200, \"2xx\" or \"200-204\", got true",
        "/checks/0/body_regex: invalid regular expression: missing ): (",
        "/checks/0/tls/cafile: unknown key",
        "/checks/0/method: expected an HTTP method in capitals like \"GET\", got \"get\"",
        "/checks/0/username: missing: a password is for basic auth, which needs a username"}));
  }
  SECTION("postgres: password or password_file, not both") {
    auto r = ReadText("postgres", R"({"dsn":"host=db user=app","password":"a","password_file":"/f"})");
    CHECK(r.problems == std::vector<std::string>{
                            "/checks/0/password_file: give \"password\" or \"password_file\", not both"});
    auto missing = ReadText("postgres", R"({"query":""})");
    CHECK_THAT(missing.problems, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
        "/checks/0/dsn: missing required key",
        "/checks/0/query: expected an SQL query, got an empty string"}));
  }
  SECTION("an unset ${ENV} in a secret names the variable, never a value") {
    auto r = ReadText("redis", R"({"address":"127.0.0.1:6379","password":"${REDIS_PW}"})");
    CHECK(r.problems == std::vector<std::string>{
                            "/checks/0/password: environment variable REDIS_PW is not set"});
  }
  SECTION("redis, tcp and tls_expiry addresses") {
    auto r = ReadText("redis", R"({"address":"localhost","username":"u"})");
    CHECK_THAT(r.problems, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
        "/checks/0/address: expected \"host:port\" (IPv6 as \"[::1]:port\"), got \"localhost\"",
        "/checks/0/password: missing: AUTH with a username needs a password"}));
    auto t = ReadText("tls_expiry", R"({"address":"h:443","degraded_before":"1d",
      "unhealthy_before":"7d","tls":{"cert_file":"/c"}})");
    CHECK_THAT(t.problems, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
        "/checks/0/degraded_before: must not be shorter than unhealthy_before (Degraded comes first)",
        "/checks/0/tls: give both \"cert_file\" and \"key_file\" for a client certificate, or "
        "neither"}));
    auto ok = ReadText("tcp", R"({"address":"[::1]:22","send":"x\n","expect":"SSH-",
      "tls":{"enabled":false}})");
    CHECK(ok.problems.empty());
  }
  SECTION("dns, exec and file_age") {
    auto d = ReadText("dns", R"({"query_name":"db.test","record_type":"MX","expect_addresses":["x"],
      "server":"127.0.0.1"})");
    CHECK_THAT(d.problems, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
        "/checks/0/record_type: expected \"A\" or \"AAAA\", got \"MX\"",
        "/checks/0/server: expected \"host:port\" (IPv6 as \"[::1]:port\"), got \"127.0.0.1\"",
        "/checks/0/expect_addresses/0: expected an IPv4 address for record_type MX, got \"x\""}));
    auto e = ReadText("exec", R"({"command":"check_disk -w 10%"})");
    CHECK(e.problems.size() == 1);
    CHECK(e.problems[0].rfind("/checks/0/command: expected a non-empty array", 0) == 0);
    auto e2 = ReadText("exec", R"({"command":["", 3],"max_output_bytes":0})");
    CHECK_THAT(e2.problems, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
        "/checks/0/command/1: expected a string, got 3",
        "/checks/0/command/0: expected a program, got an empty string",
        "/checks/0/max_output_bytes: expected an integer from 1 to 1048576, got 0"}));
    auto f = ReadText("file_age", R"({"path":"/var/run/backup.ok","max_age":"2h",
      "degraded_age":"3h"})");
    CHECK(f.problems == std::vector<std::string>{
                            "/checks/0/degraded_age: must not be longer than max_age (Degraded "
                            "comes first)"});
    auto f2 = ReadText("file_age", R"({"path":"/x","max_age":"26h","degraded_age":"25h"})");
    CHECK(f2.problems.empty());
  }
  SECTION("mysql and grpc") {
    auto m = ReadText("mysql", R"({"address":"db","query":"","password":"a","password_file":"/f",
      "tls":{"enabled":true,"key_file":"/k"}})");
    CHECK_THAT(m.problems, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
        "/checks/0/address: expected \"host:port\" (IPv6 as \"[::1]:port\"), got \"db\"",
        "/checks/0/user: missing required key",
        "/checks/0/password_file: give \"password\" or \"password_file\", not both",
        "/checks/0/query: expected an SQL query, got an empty string",
        "/checks/0/tls: give both \"cert_file\" and \"key_file\" for a client certificate, or "
        "neither"}));
    CHECK(ReadText("mysql", R"({"address":"db:3306","user":"monitor","database":"app"})")
              .problems.empty());
    auto g = ReadText("grpc", R"({"address":"[::1]:50051","service":7,"dsn":"x"})");
    CHECK_THAT(g.problems, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
        "/checks/0/service: expected a string, got 7",
        "/checks/0/dsn: only allowed with kind postgres"}));
    CHECK(ReadText("grpc", R"({"address":"api:443","service":"app.Api","tls":{}})")
              .problems.empty());
  }
  SECTION("icmp") {
    auto i = ReadText("icmp", R"({"host":"","count":0,"ip_version":5,"packet_interval":"0s"})");
    CHECK_THAT(i.problems, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
        "/checks/0/host: expected an address or a name, got an empty string",
        "/checks/0/count: expected an integer from 1 to 100, got 0",
        "/checks/0/ip_version: expected 4 or 6, got 5",
        "/checks/0/packet_interval: expected a duration above 0"}));
    auto slow = ReadText("icmp", R"({"host":"192.0.2.1","count":5,"packet_interval":"600ms",
      "timeout":"2s"})");
    CHECK(slow.problems == std::vector<std::string>{
                               "/checks/0/count: expected (count - 1) x packet_interval (2400ms) "
                               "below the timeout (2000ms)"});
  }
}
