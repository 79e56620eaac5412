#include "collectors/collector_flags.h"

#include <stdexcept>
#include <string>

#include "config/reader.h"

namespace vitals::collectors {

namespace {

RE2::Options GoSyntax() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

}  // namespace

std::optional<bool> ParseBoolFlag(std::string_view value) {
  for (std::string_view yes : {"1", "t", "T", "true", "True", "TRUE"}) {
    if (value == yes) {
      return true;
    }
  }
  for (std::string_view no : {"0", "f", "F", "false", "False", "FALSE"}) {
    if (value == no) {
      return false;
    }
  }
  return std::nullopt;
}

std::string ValidateFlag(const FlagSpec& spec, std::string_view value) {
  auto invalid = [&](std::string_view why) {
    return "invalid --" + std::string(spec.name) + " \"" + std::string(value) + "\": " +
           std::string(why);
  };
  switch (spec.kind) {
    case FlagKind::kBool:
      return ParseBoolFlag(value) ? "" : invalid("expected true or false");
    case FlagKind::kString:
      return "";
    case FlagKind::kRegex: {
      RE2 re(re2::StringPiece(value.data(), value.size()), GoSyntax());
      return re.ok() ? "" : invalid("not a regular expression: " + re.error());
    }
    case FlagKind::kDuration:
      return config::ParseDuration(value) ? ""
                                          : invalid("expected a duration like \"5s\" or \"500ms\"");
    case FlagKind::kPath:
      return value.empty() ? invalid("expected a path") : "";
  }
  return invalid("unknown flag kind");
}

std::string FlagOrOldName(const FlagValues& values, const FlagSpec& flag, std::string_view old_name) {
  const std::string& value = values.String(flag.name);
  const std::string& old_value = values.String(old_name);
  if (old_value.empty()) {
    return value;
  }
  if (value != flag.default_value) {
    throw std::invalid_argument("--" + std::string(old_name) + " and --" + std::string(flag.name) +
                                " are mutually exclusive (the first is the deprecated name of "
                                "the second)");
  }
  return old_value;
}

const std::string& FlagValues::String(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    throw std::logic_error("collector flag --" + std::string(name) + " was not declared");
  }
  return it->second;
}

bool FlagValues::Bool(std::string_view name) const {
  return ParseBoolFlag(String(name)).value_or(false);
}

std::chrono::milliseconds FlagValues::Duration(std::string_view name) const {
  return config::ParseDuration(String(name)).value_or(std::chrono::milliseconds(0));
}

std::unique_ptr<RE2> FlagValues::Regex(std::string_view name) const {
  return std::make_unique<RE2>(String(name), GoSyntax());
}

}  // namespace vitals::collectors
