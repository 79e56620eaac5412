// Inputs tests/fuzz found, inline, each with the behaviour it now has.

#include <catch2/catch.hpp>

#include <string>

#include "config/config.h"

using namespace vitals::config;

namespace {

const EnvLookup kNoEnv = [](std::string_view) -> std::optional<std::string> {
  return std::nullopt;
};

std::string OnlyProblem(std::string_view text) {
  try {
    Parse(text, "fuzz.json", kNoEnv);
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    return e.problems()[0].ToString();
  }
  FAIL("no ConfigError for " << text);
  return "";
}

}  // namespace

TEST_CASE("Parse: a number past a double is a ConfigError, not an abort", "[config]") {
  // fuzz_config: nlohmann throws out_of_range (406), not parse_error, for it;
  // Parse caught only parse_error and --config.check, start and reload aborted.
  CHECK_THAT(OnlyProblem("7777771e77770e\": "), Catch::Contains("number overflow"));
  CHECK_THAT(OnlyProblem(R"({"process_collector": {"max_groups": 1e99999}})"),
             Catch::Contains("invalid JSON") && Catch::Contains("1e99999"));
  CHECK_THAT(OnlyProblem(R"({"checks": [{"name": "a", "degraded": -1e400}]})"),
             Catch::Contains("number overflow"));
}
