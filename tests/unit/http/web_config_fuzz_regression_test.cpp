// The web config loader had config::Parse's catch (tests/fuzz found it there):
// a number past a double must be a ConfigError, not an abort.

#include <catch2/catch.hpp>

#include <string>

#include "agent/http/web_config.h"
#include "config/config.h"

TEST_CASE("ParseWebConfig: a number past a double is a ConfigError", "[http]") {
  const vitals::config::EnvLookup no_env = [](std::string_view) -> std::optional<std::string> {
    return std::nullopt;
  };
  try {
    vitals::http::ParseWebConfig(R"({"limits": {"max_body_bytes": 1e99999}})", "web.json", "/",
                                 no_env);
    FAIL("no ConfigError");
  } catch (const vitals::config::ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK_THAT(e.problems()[0].ToString(), Catch::Contains("number overflow"));
  }
}
