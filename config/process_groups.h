#pragma once
// The `process_groups` section: which processes form which group, and the
// `process_collector` options (cardinality bound, smaps). See
// config/examples/agent.json and the README for the user-facing description.
//
// Selectors of one entry must ALL match; the first matching entry wins.
// Regular expressions use RE2 syntax (the syntax process-exporter's Go
// regexps use) and are unanchored: write ^...$ to match a whole value.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/reader.h"

namespace vitals::config {

// A group name template in process-exporter's syntax: literal text and
// {{.Comm}}, {{.ExeBase}}, {{.ExeFull}}, {{.Username}}, {{.Matches.<name>}}
// where <name> is a named capture (?P<name>...) of the entry's regexes.
struct NameTemplate {
  enum class Field { kLiteral, kComm, kExeBase, kExeFull, kUsername, kMatch };
  struct Part {
    Field field = Field::kLiteral;
    std::string text;  // the literal, or the capture name for kMatch
  };
  std::vector<Part> parts;

  // True when the name has no fields: the group is known before any process
  // exists, so it is "declared" and reported from the first scrape.
  bool fixed() const;
  std::string FixedName() const;  // requires fixed()
  bool Uses(Field field) const;
};
std::variant<NameTemplate, std::string> ParseNameTemplate(std::string_view text);

struct ProcessGroupConfig {
  std::string pointer;  // "/process_groups/2", to name the entry in messages
  NameTemplate name;
  std::string name_text;
  std::optional<std::string> comm;     // regex over /proc/<pid>/comm
  std::optional<std::string> exe;      // regex over argv[0], as process-exporter does
  std::optional<std::string> cmdline;  // regex over argv joined by single spaces
  std::optional<std::string> pidfile;  // path of a file holding one pid
  std::optional<std::string> user;     // effective user: name or numeric uid
  std::optional<std::string> systemd_unit;  // "nginx.service": a path component in /proc/<pid>/cgroup
  bool self = false;      // the agent's own process
  bool children = false;  // unmatched descendants join this group
  std::optional<std::uint64_t> min;  // declared process count bounds, for the health checks
  std::optional<std::uint64_t> max;
};

struct ProcessCollectorConfig {
  std::uint64_t max_groups = 100;  // past it, new groups fold into "_overflow"
  bool smaps = false;              // read smaps_rollup for proportional memory
};

inline constexpr std::string_view kOverflowGroup = "_overflow";

void ReadProcessGroups(const Reader& root, std::vector<ProcessGroupConfig>* out);
void ReadProcessCollector(const Reader& root, ProcessCollectorConfig* out);

}  // namespace vitals::config
