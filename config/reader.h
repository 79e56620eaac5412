#pragma once
// The small toolkit every config section is read with. A Reader is a view of
// one JSON value plus its JSON pointer; it reports problems into a shared list
// instead of throwing, so one run of --config.check lists ALL mistakes, each
// as "<pointer>: <what was expected>, got <what was there>".
//
// A section (process_groups.cpp, later checks.cpp, web.cpp) is a function
// `void ReadX(const Reader& r, X* out)` that uses Object() to reject unknown
// keys and the typed getters below; it never stops at the first problem.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vitals::config {

struct Problem {
  std::string pointer;  // RFC 6901, "" for the document itself
  std::string message;  // "expected a duration like \"5s\", got 5"

  std::string ToString() const;
};

// Every problem of one file (each config section's reader, document.h's
// limits): what Parse and Load throw, and what --config.check prints.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string source, std::vector<Problem> problems);
  const std::string& source() const { return source_; }  // file path or "<embedded default>"
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::string source_;
  std::vector<Problem> problems_;
};

// One key as a JSON pointer token (RFC 6901: '~' is ~0, '/' is ~1).
std::string PointerToken(std::string_view key);

// Looks up an environment variable for ${NAME} expansion; nullopt when unset.
// Injected so that loading stays a pure function of its inputs in tests.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup ProcessEnv();  // getenv(3)

// Short description of a JSON value for messages: 5, "abc", true, an object, ...
std::string Describe(const nlohmann::json& value);

// "15s", "500ms", "1m30s", "2h", "1d": integer amounts with units ms, s, m, h,
// d, largest first, as Prometheus writes durations. "0s" is zero. Exposed for
// every section that has a duration (intervals, timeouts).
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The longest duration a config accepts (Reader::Duration says so with the
// key's pointer): a year, past every interval, timeout, back-off or
// certificate warning that makes sense, and far enough from the limits of
// the nanosecond clocks that sums and doubles of it cannot overflow.
inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24 * 365);

// Expands ${NAME} in `text`; "$$" is a literal '$'. Returns nullopt and sets
// `error` on an unset variable or a malformed reference.
std::optional<std::string> ExpandEnv(std::string_view text, const EnvLookup& env,
                                     std::string* error);

// The settings a check kind reads from its own keys (a tcp probe's address,
// a threshold's value and levels; checks.h). The config holds them without
// knowing their type; the kind that read them reads them back
// (CheckConfig::As).
struct KindSettings {
  virtual ~KindSettings() = default;
};

class Reader {
 public:
  Reader(const nlohmann::json& value, std::string pointer, std::vector<Problem>* problems,
         const EnvLookup* env)
      : value_(&value), pointer_(std::move(pointer)), problems_(problems), env_(env) {}

  const nlohmann::json& value() const { return *value_; }
  const std::string& pointer() const { return pointer_; }

  // Records a problem at this value's pointer (or at pointer()/key).
  void Fail(std::string message) const;
  void FailAt(std::string_view key, std::string message) const;

  // True when the value is an object; reports every key not in `known` as
  // "unknown key". On false the caller should not read further.
  bool Object(std::initializer_list<std::string_view> known) const;
  bool Has(std::string_view key) const;
  Reader At(std::string_view key) const;  // requires Has(key)

  // Calls `each` for every element; reports a non-array.
  void Array(std::string_view key, const std::function<void(const Reader&)>& each) const;

  // Typed getters: nullopt when the key is absent (and, with `required`,
  // reports "missing required key") or when the value is wrong (reported).
  std::optional<std::string> String(std::string_view key, bool required = false) const;
  // This value itself as a string (an array element), ${ENV}-expanded.
  std::optional<std::string> StringValue() const;
  std::optional<bool> Bool(std::string_view key) const;
  std::optional<std::uint64_t> Uint(std::string_view key, std::uint64_t max) const;
  // At most kMaxDuration.
  std::optional<std::chrono::milliseconds> Duration(std::string_view key,
                                                    bool required = false) const;

  // How many problems have been reported so far (to tell if a part was clean).
  std::size_t problem_count() const { return problems_->size(); }

 private:
  const nlohmann::json* value_;
  std::string pointer_;
  std::vector<Problem>* problems_;
  const EnvLookup* env_;
};

}  // namespace vitals::config
