#include "config/config.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "tests/unit/config_problems.h"

using vitals::config::ConfigError;
using vitals::config::EnvLookup;
using vitals::config::NameTemplate;
using vitals::config::ParseDuration;

namespace {

EnvLookup FakeEnv(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

// Parses `text` and returns every problem as "pointer: message", one per line.
std::string Problems(const std::string& text) {
  return vitals::testing::ConfigProblemLines(
      [&] { vitals::config::Parse(text, "test.json", FakeEnv({{"HOME_DIR", "/home/a"}})); });
}

}  // namespace

TEST_CASE("ParseDuration: Prometheus-style durations", "[config]") {
  using std::chrono::milliseconds;
  CHECK(ParseDuration("15s") == milliseconds(15'000));
  CHECK(ParseDuration("500ms") == milliseconds(500));
  CHECK(ParseDuration("1m30s") == milliseconds(90'000));
  CHECK(ParseDuration("2h") == milliseconds(7'200'000));
  CHECK(ParseDuration("1d2h") == milliseconds(93'600'000));
  CHECK(ParseDuration("1s500ms") == milliseconds(1'500));
  CHECK(ParseDuration("0s") == milliseconds(0));
  SECTION("rejected") {
    for (const char* bad : {"", "5", "s", "-5s", "1.5s", "5 s", "1s1m", "1s1s", "5sec", "5S",
                            "99999999999999999999s", "10000000000000d"}) {
      INFO(bad);
      CHECK_FALSE(ParseDuration(bad).has_value());
    }
  }
}

TEST_CASE("ExpandEnv: ${NAME} and $$", "[config]") {
  std::string err;
  auto env = FakeEnv({{"A", "x"}, {"PASS_WORD", "s3cr$t"}});
  CHECK(vitals::config::ExpandEnv("a${A}b${PASS_WORD}", env, &err) == "axbs3cr$t");
  CHECK(vitals::config::ExpandEnv("cost $$5", env, &err) == "cost $5");
  CHECK_FALSE(vitals::config::ExpandEnv("${UNSET}", env, &err));
  CHECK(err == "environment variable UNSET is not set");
  CHECK_FALSE(vitals::config::ExpandEnv("$A", env, &err));
  CHECK_FALSE(vitals::config::ExpandEnv("${A", env, &err));
  CHECK_FALSE(vitals::config::ExpandEnv("${1A}", env, &err));
}

TEST_CASE("ParseNameTemplate", "[config]") {
  using F = NameTemplate::Field;
  auto t = std::get<NameTemplate>(vitals::config::ParseNameTemplate("app:{{.Comm}}-{{ .Matches.x }}"));
  REQUIRE(t.parts.size() == 4);
  CHECK(t.parts[0].text == "app:");
  CHECK(t.parts[1].field == F::kComm);
  CHECK(t.parts[2].text == "-");
  CHECK(t.parts[3].field == F::kMatch);
  CHECK(t.parts[3].text == "x");
  CHECK_FALSE(t.fixed());
  auto fixed = std::get<NameTemplate>(vitals::config::ParseNameTemplate("web"));
  CHECK(fixed.fixed());
  CHECK(fixed.FixedName() == "web");
  CHECK(std::holds_alternative<std::string>(vitals::config::ParseNameTemplate("{{.Pid}}")));
  CHECK(std::holds_alternative<std::string>(vitals::config::ParseNameTemplate("{{.Comm")));
}

TEST_CASE("Parse: every bad config names its pointer", "[config]") {
  // Each row: a config and the exact problem list it must produce.
  struct Row {
    const char* text;
    const char* problems;
  };
  const Row rows[] = {
      {R"([])", "/: expected an object, got an array\n"},
      {R"({"bogus": 1})", "/bogus: unknown key\n"},
      {R"({"process_groups": {}})", "/process_groups: expected an array, got an object\n"},
      {R"({"process_groups": [5]})", "/process_groups/0: expected an object, got 5\n"},
      {R"({"process_groups": [{"name": "a", "comm": "x", "bogus": 1}]})",
       "/process_groups/0/bogus: unknown key\n"},
      {R"({"process_groups": [{"name": "a", "comm": "x"}, {"name": "b", "comm": "y"},
                              {"name": "c", "comm": 5}]})",
       "/process_groups/2/comm: expected a regular expression, got 5\n"},
      {R"({"process_groups": [{"name": "a", "cmdline": "(unclosed"}]})",
       "/process_groups/0/cmdline: expected a regular expression, got \"(unclosed\": missing ): "
       "(unclosed\n"},
      {R"({"process_groups": [{"comm": "x"}]})", "/process_groups/0/name: missing required key\n"},
      {R"({"process_groups": [{"name": "a"}]})",
       "/process_groups/0: expected at least one selector: comm, exe, cmdline, pidfile, user, "
       "systemd_unit or self\n"},
      {R"({"process_groups": [{"name": "{{.Pid}}", "comm": "x"}]})",
       "/process_groups/0/name: unknown template field {{.Pid}} (expected .Comm, .ExeBase, "
       ".ExeFull, .Username or .Matches.<capture>)\n"},
      {R"({"process_groups": [{"name": "{{.Matches.svc}}", "comm": "x"}]})",
       "/process_groups/0/name: {{.Matches.svc}} needs a named capture (?P<svc>...) in comm, exe "
       "or cmdline\n"},
      {R"({"process_groups": [{"name": "{{.Comm}}", "comm": "x", "min": 1}]})",
       "/process_groups/0/min: min and max need a fixed group name, not a template like "
       "\"{{.Comm}}\"\n"},
      {R"({"process_groups": [{"name": "a", "comm": "x", "min": 3, "max": 2}]})",
       "/process_groups/0/max: expected max >= min (3), got 2\n"},
      {R"({"process_groups": [{"name": "a", "comm": "x", "min": -1}]})",
       "/process_groups/0/min: expected an integer from 0 to 1000000, got -1\n"},
      {R"({"process_groups": [{"name": "a", "comm": "x", "children": "yes"}]})",
       "/process_groups/0/children: expected true or false, got \"yes\"\n"},
      {R"({"process_groups": [{"name": "a", "pidfile": "run/a.pid"}]})",
       "/process_groups/0/pidfile: expected an absolute path, got \"run/a.pid\"\n"},
      {R"({"process_groups": [{"name": "a", "pidfile": "${NOPE}/a.pid"}]})",
       "/process_groups/0/pidfile: environment variable NOPE is not set\n"},
      {R"({"process_groups": [{"name": "a", "systemd_unit": "a/b.service"}]})",
       "/process_groups/0/systemd_unit: expected a unit name like \"nginx.service\", got "
       "\"a/b.service\"\n"},
      {R"({"process_groups": [{"name": "_overflow", "comm": "x"}]})",
       "/process_groups/0/name: \"_overflow\" is reserved for the overflow group\n"},
      {R"({"process_groups": [{"name": "a", "comm": "x", "min": 1}, {"name": "a", "comm": "y", "max": 2}]})",
       "/process_groups: group \"a\" has min/max in more than one entry (/process_groups/1)\n"},
      {R"({"process_collector": {"max_groups": 0}})",
       "/process_collector/max_groups: expected an integer from 1 to 100000, got 0\n"},
      {R"({"process_collector": {"smaps": 1, "x/y": 2}})",
       "/process_collector/x~1y: unknown key\n/process_collector/smaps: expected true or false, "
       "got 1\n"},
      {R"({"checks": {}})", "/checks: expected an array, got an object\n"},
      {R"({"process_groups": [)",
       "/: invalid JSON: [json.exception.parse_error.101] parse error at line 1, column 21: "
       "syntax error while parsing value - unexpected end of input; expected '[', '{', or a "
       "literal\n"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(Problems(row.text) == row.problems);
  }
}

TEST_CASE("Parse: all problems are reported, not only the first", "[config]") {
  std::string problems = Problems(R"({
    "process_groups": [
      {"name": "a", "comm": 5, "typo": true},
      {"name": "b", "exe": "[", "min": "one"}
    ],
    "nope": {}
  })");
  CHECK(problems ==
        "/nope: unknown key\n"
        "/process_groups/0/typo: unknown key\n"
        "/process_groups/0/comm: expected a regular expression, got 5\n"
        "/process_groups/1/exe: expected a regular expression, got \"[\": missing ]: [\n"
        "/process_groups/1/min: expected an integer from 0 to 1000000, got \"one\"\n");
}

TEST_CASE("Parse: a good config", "[config]") {
  auto config = vitals::config::Parse(R"json({
    "process_groups": [
      {"name": "db", "comm": "^postgres$", "user": "postgres", "children": true, "min": 1, "max": 5},
      {"name": "{{.Matches.svc}}", "cmdline": "--service=(?P<svc>\\w+)", "pidfile": "${HOME_DIR}/x.pid"}
    ],
    "process_collector": {"max_groups": 7, "smaps": true}
  })json", "test.json", FakeEnv({{"HOME_DIR", "/home/a"}}));
  REQUIRE(config.process_groups.size() == 2);
  const auto& db = config.process_groups[0];
  CHECK(db.pointer == "/process_groups/0");
  CHECK(db.name.FixedName() == "db");
  CHECK(db.comm == "^postgres$");
  CHECK(db.user == "postgres");
  CHECK(db.children);
  CHECK(db.min == 1u);
  CHECK(db.max == 5u);
  const auto& svc = config.process_groups[1];
  CHECK_FALSE(svc.name.fixed());
  CHECK(svc.pidfile == "/home/a/x.pid");
  CHECK_FALSE(svc.children);
  CHECK(config.process_collector.max_groups == 7u);
  CHECK(config.process_collector.smaps);
}

TEST_CASE("Load: the shipped example and the embedded default", "[config]") {
  auto example = vitals::config::Load(std::string(VITALS_SOURCE_DIR) + "/config/examples/agent.json");
  CHECK(example.process_groups.size() == 6);
  auto def = vitals::config::DefaultConfig();
  REQUIRE(def.process_groups.size() == 1);
  CHECK(def.process_groups[0].self);
  CHECK(def.process_groups[0].name.FixedName() == "vitals");
  try {
    vitals::config::Load("/nonexistent/agent.json");
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          "/nonexistent/agent.json: 1 problem\n  /: cannot open the file for reading: No such "
          "file or directory");
  }
}
