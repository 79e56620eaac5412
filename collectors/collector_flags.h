#pragma once
// Collector flags: each collector declares its own (FlagSpec, with
// node_exporter's names and defaults) in its registration; agent/flags.cpp
// parses and validates them through the registry, so it never grows per
// collector; a collector reads their values from FlagValues when it is built.

#include <re2/re2.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace vitals::collectors {

enum class FlagKind {
  kBool,      // --name / --no-name / --name=true|false
  kString,    // any text
  kRegex,     // RE2 in Go's syntax, matched unanchored as Go's MatchString
  kDuration,  // "5s", "500ms", "1m30s"
  kPath,      // a non-empty path
};

struct FlagSpec {
  std::string_view name;  // without "--", e.g. "collector.vmstat.fields"
  FlagKind kind;
  std::string_view default_value;
  std::string_view help;
};

// Why `value` is not valid for `spec`, in one line naming the flag, or empty.
std::string ValidateFlag(const FlagSpec& spec, std::string_view value);

// A bool flag's value as kingpin reads it: 1/t/true/True/TRUE and the false
// forms; nullopt for anything else.
std::optional<bool> ParseBoolFlag(std::string_view value);

// Go's regexp.MatchString: does `re` match anywhere in `text`?
inline bool MatchesGo(const RE2& re, std::string_view text) {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re);
}

class FlagValues;

// The value of `flag`, or of its hidden old name `old_name` (node_exporter
// kept --collector.filesystem.ignored-mount-points working for
// --collector.filesystem.mount-points-exclude) when that is given instead.
// Both given (the new one away from its default) throws
// std::invalid_argument: contradicting flags stop the agent at start, as
// they stop node_exporter.
std::string FlagOrOldName(const FlagValues& values, const FlagSpec& flag, std::string_view old_name);

// The values of every collector flag, validated, with defaults for those not
// given. Reading a flag no collector declared is a programming error and
// throws std::logic_error (collectors read their flags when they are built).
class FlagValues {
 public:
  void Set(std::string_view name, std::string value) { values_[std::string(name)] = std::move(value); }
  bool Has(std::string_view name) const { return values_.find(name) != values_.end(); }

  const std::string& String(std::string_view name) const;
  bool Bool(std::string_view name) const;
  std::chrono::milliseconds Duration(std::string_view name) const;
  // The flag's regex compiled (validated already); "" matches everything,
  // as in Go.
  std::unique_ptr<RE2> Regex(std::string_view name) const;

  const std::map<std::string, std::string, std::less<>>& all() const { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace vitals::collectors
