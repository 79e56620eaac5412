#include "config/config.h"

#include <fstream>
#include <sstream>

namespace vitals::config {

namespace {

std::string Summary(const std::string& source, const std::vector<Problem>& problems) {
  std::string out = source + ": " + std::to_string(problems.size()) +
                    (problems.size() == 1 ? " problem" : " problems");
  for (const auto& p : problems) {
    out += "\n  " + p.ToString();
  }
  return out;
}

constexpr std::string_view kDefault = R"({
  "process_groups": [
    {"name": "vitals", "self": true}
  ]
})";

}  // namespace

ConfigError::ConfigError(std::string source, std::vector<Problem> problems)
    : std::runtime_error(Summary(source, problems)),
      source_(std::move(source)),
      problems_(std::move(problems)) {}

Config Parse(std::string_view text, std::string_view source, const EnvLookup& env) {
  std::vector<Problem> problems;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // parse_error, and out_of_range for a number past a double (1e99999):
    // found by tests/fuzz (fuzz_config) in config::Parse; it aborted the agent.
    // nlohmann's message carries line and column.
    problems.push_back({"", std::string("invalid JSON: ") + e.what()});
    throw ConfigError(std::string(source), std::move(problems));
  }
  Config config;
  Reader root(doc, "", &problems, &env);
  if (root.Object({"process_groups", "process_collector", "checks", "health"})) {
    ReadProcessGroups(root, &config.process_groups);
    ReadProcessCollector(root, &config.process_collector);
    ReadHealth(root, &config.health);
    ReadChecks(root, config.health, config.process_groups, &config.checks);
    if (doc.contains("process_groups")) {
      config.process_groups_definition = doc["process_groups"].dump();
    }
    if (doc.contains("process_collector")) {
      config.process_collector_definition = doc["process_collector"].dump();
    }
  }
  if (!problems.empty()) {
    throw ConfigError(std::string(source), std::move(problems));
  }
  return config;
}

Config Load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(path.string(), {{"", "cannot open the file for reading"}});
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw ConfigError(path.string(), {{"", "error while reading the file"}});
  }
  return Parse(text.str(), path.string(), ProcessEnv());
}

std::string_view DefaultConfigText() { return kDefault; }

Config DefaultConfig() {
  return Parse(kDefault, "<embedded default>", [](std::string_view) { return std::nullopt; });
}

}  // namespace vitals::config
