#include "config/config.h"

#include "config/document.h"

namespace vitals::config {

namespace {

constexpr std::string_view kDefault = R"({
  "process_groups": [
    {"name": "vitals", "self": true}
  ]
})";

}  // namespace

Config Parse(std::string_view text, std::string_view source, const EnvLookup& env,
             KindTable kinds) {
  const nlohmann::json doc = ParseJson(text, source);
  std::vector<Problem> problems;
  Config config;
  Reader root(doc, "", &problems, &env);
  if (root.Object({"process_groups", "process_collector", "checks", "health"})) {
    ReadProcessGroups(root, &config.process_groups);
    ReadProcessCollector(root, &config.process_collector);
    ReadHealth(root, &config.health);
    ReadChecks(root, config.health, config.process_groups, kinds, &config.checks);
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

Config Load(const std::filesystem::path& path, KindTable kinds) {
  return Parse(ReadFile(path), path.string(), ProcessEnv(), kinds);
}

std::string_view DefaultConfigText() { return kDefault; }

Config DefaultConfig() {
  return Parse(kDefault, "<embedded default>", [](std::string_view) { return std::nullopt; });
}

}  // namespace vitals::config
