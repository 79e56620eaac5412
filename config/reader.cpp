#include "config/reader.h"

#include <charconv>
#include <cstdlib>
#include <limits>

namespace vitals::config {

std::string Problem::ToString() const { return (pointer.empty() ? "/" : pointer) + ": " + message; }

namespace {

std::string Summary(const std::string& source, const std::vector<Problem>& problems) {
  std::string out = source + ": " + std::to_string(problems.size()) +
                    (problems.size() == 1 ? " problem" : " problems");
  for (const auto& p : problems) {
    out += "\n  " + p.ToString();
  }
  return out;
}

}  // namespace

ConfigError::ConfigError(std::string source, std::vector<Problem> problems)
    : std::runtime_error(Summary(source, problems)),
      source_(std::move(source)),
      problems_(std::move(problems)) {}

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) {
      return std::nullopt;
    }
    return std::string(v);
  };
}

std::string Describe(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::null: return "null";
    default: break;
  }
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 60) {
    text = text.substr(0, 57) + "...";
  }
  return text;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  using std::chrono::milliseconds;
  struct Unit {
    std::string_view name;
    std::int64_t ms;
  };
  // Largest first; "ms" before "m" so that the longer suffix wins.
  static constexpr Unit kUnits[] = {
      {"d", 86'400'000}, {"h", 3'600'000}, {"ms", 1}, {"m", 60'000}, {"s", 1'000}};
  if (text.empty()) {
    return std::nullopt;
  }
  std::int64_t total = 0;
  std::int64_t last_unit = std::numeric_limits<std::int64_t>::max();
  while (!text.empty()) {
    std::uint64_t amount = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
    if (ec != std::errc() || ptr == text.data()) {
      return std::nullopt;
    }
    text.remove_prefix(static_cast<std::size_t>(ptr - text.data()));
    const Unit* unit = nullptr;
    for (const auto& u : kUnits) {
      if (text.substr(0, u.name.size()) == u.name &&
          (u.name != "m" || text.substr(0, 2) != "ms")) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr || unit->ms >= last_unit) {
      return std::nullopt;  // no unit, unknown unit, or units out of order ("1s1m")
    }
    last_unit = unit->ms;
    text.remove_prefix(unit->name.size());
    if (amount > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / unit->ms) ||
        total > std::numeric_limits<std::int64_t>::max() -
                    static_cast<std::int64_t>(amount) * unit->ms) {
      return std::nullopt;
    }
    total += static_cast<std::int64_t>(amount) * unit->ms;
  }
  return milliseconds(total);
}

std::optional<std::string> ExpandEnv(std::string_view text, const EnvLookup& env,
                                     std::string* error) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      *error = "a '$' must start ${NAME} or be written $$";
      return std::nullopt;
    }
    std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      *error = "unterminated ${ (expected ${NAME})";
      return std::nullopt;
    }
    std::string_view name = text.substr(i + 2, close - i - 2);
    bool valid = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
    for (char c : name) {
      valid = valid && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_');
    }
    if (!valid) {
      *error = "\"${" + std::string(name) + "}\" is not a valid environment variable reference";
      return std::nullopt;
    }
    auto value = env(name);
    if (!value) {
      *error = "environment variable " + std::string(name) + " is not set";
      return std::nullopt;
    }
    out += *value;
    i = close;
  }
  return out;
}

std::string PointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

void Reader::Fail(std::string message) const {
  problems_->push_back({pointer_, std::move(message)});
}

void Reader::FailAt(std::string_view key, std::string message) const {
  problems_->push_back({pointer_ + "/" + PointerToken(key), std::move(message)});
}

bool Reader::Object(std::initializer_list<std::string_view> known) const {
  if (!value_->is_object()) {
    Fail("expected an object, got " + Describe(*value_));
    return false;
  }
  for (const auto& [key, unused] : value_->items()) {
    bool ok = false;
    for (std::string_view k : known) {
      ok = ok || k == key;
    }
    if (!ok) {
      FailAt(key, "unknown key");
    }
  }
  return true;
}

bool Reader::Has(std::string_view key) const {
  return value_->is_object() && value_->contains(key);
}

Reader Reader::At(std::string_view key) const {
  return Reader(value_->at(std::string(key)), pointer_ + "/" + PointerToken(key), problems_, env_);
}

void Reader::Array(std::string_view key, const std::function<void(const Reader&)>& each) const {
  if (!Has(key)) {
    return;
  }
  Reader array = At(key);
  if (!array.value().is_array()) {
    array.Fail("expected an array, got " + Describe(array.value()));
    return;
  }
  for (std::size_t i = 0; i < array.value().size(); ++i) {
    each(Reader(array.value()[i], array.pointer() + "/" + std::to_string(i), problems_, env_));
  }
}

std::optional<std::string> Reader::String(std::string_view key, bool required) const {
  if (!Has(key)) {
    if (required) {
      FailAt(key, "missing required key");
    }
    return std::nullopt;
  }
  Reader r = At(key);
  if (!r.value().is_string()) {
    r.Fail("expected a string, got " + Describe(r.value()));
    return std::nullopt;
  }
  std::string error;
  auto expanded = ExpandEnv(r.value().get_ref<const std::string&>(), *env_, &error);
  if (!expanded) {
    r.Fail(error);
  }
  return expanded;
}

std::optional<std::string> Reader::StringValue() const {
  if (!value_->is_string()) {
    Fail("expected a string, got " + Describe(*value_));
    return std::nullopt;
  }
  std::string error;
  auto expanded = ExpandEnv(value_->get_ref<const std::string&>(), *env_, &error);
  if (!expanded) {
    Fail(error);
  }
  return expanded;
}

std::optional<bool> Reader::Bool(std::string_view key) const {
  if (!Has(key)) {
    return std::nullopt;
  }
  Reader r = At(key);
  if (!r.value().is_boolean()) {
    r.Fail("expected true or false, got " + Describe(r.value()));
    return std::nullopt;
  }
  return r.value().get<bool>();
}

std::optional<std::uint64_t> Reader::Uint(std::string_view key, std::uint64_t max) const {
  if (!Has(key)) {
    return std::nullopt;
  }
  Reader r = At(key);
  const auto& v = r.value();
  bool integral = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
  if (!integral || v.get<std::uint64_t>() > max) {
    r.Fail("expected an integer from 0 to " + std::to_string(max) + ", got " + Describe(v));
    return std::nullopt;
  }
  return v.get<std::uint64_t>();
}

std::optional<std::chrono::milliseconds> Reader::Duration(std::string_view key,
                                                          bool required) const {
  if (!Has(key)) {
    if (required) {
      FailAt(key, "missing required key");
    }
    return std::nullopt;
  }
  Reader r = At(key);
  std::optional<std::chrono::milliseconds> d;
  if (r.value().is_string()) {
    d = ParseDuration(r.value().get_ref<const std::string&>());
  }
  if (!d) {
    r.Fail("expected a duration like \"5s\", \"500ms\" or \"1m30s\", got " + Describe(r.value()));
  } else if (*d > kMaxDuration) {
    r.Fail("expected a duration of at most " +
           std::to_string(kMaxDuration / std::chrono::hours(24)) + "d, got " +
           Describe(r.value()));
    d.reset();
  }
  return d;
}

}  // namespace vitals::config
