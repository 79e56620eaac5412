#include "agent/cli/status_command.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "agent/cli/terminal_text.h"
#include "agent/health/report.h"

using namespace vitals;
using namespace vitals::cli;
using health::HealthStatus;
using namespace std::chrono_literals;

namespace {

StatusOptions Parse(std::vector<std::string> args) {
  auto parsed = ParseStatusFlags(args);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    FAIL("unexpected error: " << *err);
  }
  return std::get<StatusOptions>(parsed);
}

std::string ParseError(std::vector<std::string> args) {
  auto parsed = ParseStatusFlags(args);
  REQUIRE(std::holds_alternative<std::string>(parsed));
  return std::get<std::string>(parsed);
}

StatusReport Report(std::string_view body) {
  auto parsed = ParseStatusReport(body);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    FAIL("not a report: " << *err);
  }
  return std::get<StatusReport>(parsed);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("vitals status flags", "[cli]") {
  SECTION("defaults: the local agent on the default port, a table, 5 s") {
    auto o = Parse({});
    CHECK(o.url == "http://127.0.0.1:9810/health");
    CHECK(o.output == Output::kTable);
    CHECK(o.color == ColorMode::kAuto);
    CHECK(o.timeout == 5s);
  }
  SECTION("--url: an agent means its /health; a path or a query is kept") {
    CHECK(Parse({"--url", "http://10.0.0.1:9810"}).url == "http://10.0.0.1:9810/health");
    CHECK(Parse({"--url=https://[::1]:9810/"}).url == "https://[::1]:9810/health");
    CHECK(Parse({"--url=http://h:1/health/ready"}).url == "http://h:1/health/ready");
    CHECK(Parse({"--url=http://h:1?tag=db"}).url == "http://h:1/health?tag=db");
  }
  SECTION("switches and values") {
    auto o = Parse({"--json", "--timeout=750ms", "--color", "never", "--username", "ops",
                    "--password-file=/run/secrets/pw"});
    CHECK(o.output == Output::kJson);
    CHECK(o.timeout == 750ms);
    CHECK(o.color == ColorMode::kNever);
    CHECK(o.username == "ops");
    CHECK(o.password_file == "/run/secrets/pw");
    CHECK(Parse({"--quiet"}).output == Output::kQuiet);
    auto tls = Parse({"--url=https://h:1", "--ca-file=ca.pem", "--cert-file=c.pem",
                      "--key-file=k.pem", "--insecure-skip-verify"});
    CHECK(tls.tls.ca_file == "ca.pem");
    CHECK(tls.tls.cert_file == "c.pem");
    CHECK(tls.tls.key_file == "k.pem");
    CHECK(tls.tls.insecure_skip_verify);
    CHECK(Parse({"--help", "--url=nonsense"}).help);
  }
  SECTION("mistakes, each in one line") {
    CHECK(ParseError({"--bogus"}) == "unknown flag --bogus (try vitals status --help)");
    CHECK(ParseError({"localhost:9810"}).rfind("unexpected argument \"localhost:9810\"", 0) == 0);
    CHECK(ParseError({"--url=localhost:9810"}) ==
          "invalid --url \"localhost:9810\": expected http://host:port or https://host:port, "
          "with a /health path or none");
    CHECK(ParseError({"--url=http:///health"}) == "invalid --url \"http:///health\": no host");
    CHECK(ParseError({"--url"}) == "flag --url needs a value");
    CHECK(ParseError({"--url="}) == "flag --url needs a value, got \"\"");
    CHECK(ParseError({"--json=yes"}) == "flag --json takes no value");
    CHECK(ParseError({"--json", "--quiet"}) == "give --json or --quiet, not both");
    CHECK(ParseError({"--timeout=5"}) ==
          "invalid --timeout \"5\": expected a duration like \"5s\" or \"500ms\"");
    CHECK(ParseError({"--timeout=0s"}).rfind("invalid --timeout", 0) == 0);
    CHECK(ParseError({"--color=sometimes"}) ==
          "invalid --color \"sometimes\": expected auto, always or never");
    CHECK(ParseError({"--username=ops"}) == "--username and --password-file go together");
    CHECK(ParseError({"--password-file=pw"}) == "--username and --password-file go together");
    CHECK(ParseError({"--url=https://h:1", "--cert-file=c.pem"}) ==
          "--cert-file and --key-file go together");
    CHECK(ParseError({"--ca-file=ca.pem"}) ==
          "--ca-file, --cert-file, --key-file and --insecure-skip-verify need an https:// --url");
  }
  SECTION("the help names every flag") {
    const std::string help = StatusHelpText();
    for (const char* flag : {"--url=URL", "--timeout=DURATION", "--username=USER", "--password-file=PATH",
                             "--ca-file=PATH", "--cert-file=PATH", "--key-file=PATH",
                             "--insecure-skip-verify", "--json", "--quiet", "--color=WHEN"}) {
      CHECK(help.find(flag) != std::string::npos);
    }
  }
}

TEST_CASE("vitals status reads what /health writes", "[cli]") {
  health::Snapshot snapshot;
  for (auto [name, status] : {std::pair{"api", HealthStatus::kHealthy},
                              std::pair{"db", HealthStatus::kUnhealthy},
                              std::pair{"disk", HealthStatus::kDegraded},
                              std::pair{"cpu", HealthStatus::kHealthy}}) {
    health::EntrySnapshot e;
    e.name = name;
    e.status = status;
    e.description = std::string("about ") + name;
    e.duration = 4ms;
    snapshot.entries.push_back(e);
  }
  const std::string body = health::ToJson(health::BuildReport(snapshot)).dump();
  const StatusReport report = Report(body);
  CHECK(report.status == HealthStatus::kUnhealthy);
  REQUIRE(report.rows.size() == 4);
  // Worst first; the agent's order among equals.
  CHECK(report.rows[0].name == "db");
  CHECK(report.rows[1].name == "disk");
  CHECK(report.rows[2].name == "api");
  CHECK(report.rows[3].name == "cpu");
  CHECK(report.rows[1].description == "about disk");
  CHECK(report.rows[1].duration == "0.004s");
  CHECK(ExitCodeFor(report.status) == 2);
  CHECK(ExitCodeFor(HealthStatus::kDegraded) == 1);
  CHECK(ExitCodeFor(HealthStatus::kHealthy) == 0);
}

TEST_CASE("vitals status refuses what is not a health report", "[cli]") {
  const auto error = [](std::string_view body) {
    auto parsed = ParseStatusReport(body);
    REQUIRE(std::holds_alternative<std::string>(parsed));
    return std::get<std::string>(parsed);
  };
  CHECK(error("no health group or check named \"x\"\n") == "not JSON");
  CHECK(error("") == "not JSON");
  CHECK(error("[1,2]") == "JSON, but not an object");
  CHECK(error(R"({"entries":{}})") == "no \"status\" of Healthy, Degraded or Unhealthy");
  CHECK(error(R"({"status":"UP","entries":{}})") == "no \"status\" of Healthy, Degraded or Unhealthy");
  CHECK(error(R"({"status":"Healthy"})") == "no \"entries\" object");
  CHECK(error(R"({"status":"Healthy","entries":{"a":{"status":3}}})") ==
        "entry \"a\" has no \"status\" of Healthy, Degraded or Unhealthy");
  CHECK(error(R"({"status":"Healthy","entries":{"a":null}})") ==
        "entry \"a\" has no \"status\" of Healthy, Degraded or Unhealthy");
  CHECK(error(std::string(100'000, '[')) == "not JSON");
  // Optional fields may be missing or null.
  auto sparse = Report(R"({"status":"Degraded","entries":{"a":{"status":"Degraded","description":null}}})");
  CHECK(sparse.rows.at(0).description.empty());
  CHECK(sparse.rows.at(0).duration.empty());
}

TEST_CASE("vitals status table: one readable row per check, within the width", "[cli]") {
  StatusReport report;
  report.status = HealthStatus::kDegraded;
  report.rows = {
      {HealthStatus::kDegraded, "nightly-backup", "exec backup.sh: exit 1: disk 91% full", "0.012s"},
      {HealthStatus::kHealthy, "api", "GET http://127.0.0.1:8080/: 200 in 0.002s", "0.002s"},
  };
  const std::string url = "http://127.0.0.1:9810/health";

  SECTION("plain") {
    const auto lines = Lines(RenderStatusTable(report, url, {.width = 100, .color = false}));
    REQUIRE(lines.size() == 5);
    CHECK(lines[0] == "Degraded  2 checks: 1 Degraded, 1 Healthy  http://127.0.0.1:9810/health");
    CHECK(lines[1].empty());
    CHECK(lines[2] == "STATUS     CHECK           TOOK    DESCRIPTION");
    CHECK(lines[3] == "Degraded   nightly-backup  0.012s  exec backup.sh: exit 1: disk 91% full");
    CHECK(lines[4] == "Healthy    api             0.002s  GET http://127.0.0.1:8080/: 200 in 0.002s");
  }
  SECTION("colour on the status words only") {
    const auto lines = Lines(RenderStatusTable(report, url, {.width = 100, .color = true}));
    CHECK(lines[0].rfind("\x1b[33mDegraded\x1b[0m  2 checks", 0) == 0);
    CHECK(lines[3].rfind("\x1b[33mDegraded\x1b[0m   nightly-backup", 0) == 0);
    CHECK(lines[4].rfind("\x1b[32mHealthy\x1b[0m    api", 0) == 0);
  }
  SECTION("hostile descriptions and names stay one row each, cut to the width") {
    report.rows.push_back({HealthStatus::kUnhealthy, "multi\nline", "first\nsecond\r\nthird", "0.001s"});
    report.rows.push_back(
        {HealthStatus::kUnhealthy, "ansi", "\x1b[2J\x1b[H\x1b[31mred\x1b]0;title\x07", "0.001s"});
    report.rows.push_back({HealthStatus::kUnhealthy, "long", std::string(10'240, 'x'), "0.001s"});
    report.rows.push_back({HealthStatus::kUnhealthy, std::string(300, 'n'), "wide ディスク", "9999.999s"});
    for (std::size_t width : {40u, 80u, 200u}) {
      const std::string table = RenderStatusTable(report, url, {.width = width, .color = false});
      const auto lines = Lines(table);
      CHECK(lines.size() == 3 + report.rows.size());
      for (const std::string& line : lines) {
        const auto shown = TerminalText(line, 100'000);
        CHECK(shown.text == line);  // nothing left to escape
        CHECK(shown.columns <= width);
      }
      if (width == 200) {
        CHECK(table.find("first\\nsecond\\r\\nthird") != std::string::npos);
        CHECK(table.find("\\x1b[2J\\x1b[H\\x1b[31mred\\x1b]0;title\\x07") != std::string::npos);
        CHECK(table.find(std::string(100, 'x') + "...") != std::string::npos);
        CHECK(table.find("wide ディスク") != std::string::npos);
      }
    }
  }
  SECTION("no checks") {
    StatusReport empty;
    empty.status = HealthStatus::kHealthy;
    CHECK(RenderStatusTable(empty, url, {.width = 100, .color = false}) ==
          "Healthy  no checks  http://127.0.0.1:9810/health\n");
  }
  SECTION("a password in the URL is not shown") {
    const auto lines =
        Lines(RenderStatusTable(report, "http://ops:s3cret@127.0.0.1:9810/health", {.width = 100}));
    CHECK(lines[0].find("s3cret") == std::string::npos);
  }
}
