#pragma once
// The agent's configuration: one JSON file (--config.file), or the embedded
// default when there is none. Loading is a pure function of the file's text
// and the environment: it returns a Config or a ConfigError listing every
// problem found, each with its JSON pointer. Nothing is started or opened
// here; the caller decides what to do with the result.
//
// Sections live in their own files and share reader.h:
//   process_groups.cpp  "process_groups", "process_collector"
//   checks.cpp          "health", "checks"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/checks.h"
#include "config/process_groups.h"
#include "config/reader.h"

namespace vitals::config {

struct Config {
  std::vector<ProcessGroupConfig> process_groups;
  ProcessCollectorConfig process_collector;
  HealthConfig health;              // "health" (checks.h)
  std::vector<CheckConfig> checks;  // "checks", read by ReadChecks
  // The "process_groups" and "process_collector" sections' JSON text (keys
  // sorted; "null" when absent), so a reload can tell whether they changed.
  std::string process_groups_definition = "null";
  std::string process_collector_definition = "null";
};

// Parses and validates `text`; `source` names it in messages, `kinds` are
// the check kinds "checks" may use (the agent's: health::CheckKinds).
// Throws ConfigError with all problems.
Config Parse(std::string_view text, std::string_view source, const EnvLookup& env,
             KindTable kinds = {});
// Reads the file at `path` and parses it with the process environment.
Config Load(const std::filesystem::path& path, KindTable kinds = {});
// The configuration with no --config.file: the agent's own process as the one
// process group, nothing for the rest of the machine.
Config DefaultConfig();
std::string_view DefaultConfigText();

}  // namespace vitals::config
