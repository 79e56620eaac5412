#pragma once
// ConfigProblems: what a config parser rejects, as the "pointer: message"
// lines of the ConfigError it throws, for tests that compare them.

#include <string>
#include <vector>

#include "config/config.h"

namespace vitals::testing {

// Calls `parse` and returns every problem of the ConfigError it throws, in
// order; none when it does not throw.
template <class Parse>
std::vector<std::string> ConfigProblems(Parse&& parse) {
  try {
    parse();
  } catch (const config::ConfigError& e) {
    std::vector<std::string> out;
    for (const auto& p : e.problems()) {
      out.push_back(p.ToString());
    }
    return out;
  }
  return {};
}

// The same, one problem a line (each ends with '\n'); "" when none.
template <class Parse>
std::string ConfigProblemLines(Parse&& parse) {
  std::string out;
  for (const std::string& line : ConfigProblems(std::forward<Parse>(parse))) {
    out += line + "\n";
  }
  return out;
}

}  // namespace vitals::testing
