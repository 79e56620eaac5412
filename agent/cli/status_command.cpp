#include "agent/cli/status_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "agent/cli/terminal_text.h"
#include "agent/cli/flag_syntax.h"
#include "agent/version.h"
#include "agent/probes/curl.h"
#include "agent/probes/net.h"
#include "agent/probes/probe.h"
#include "config/reader.h"

namespace vitals::cli {

namespace {

using health::HealthStatus;

// A /health answer of a few thousand checks is well under this; past it
// the server is not a vitals agent.
constexpr std::size_t kMaxAnswerBytes = 8 << 20;
// Columns when stdout is not a terminal: wide enough for a log line, and
// the same on every machine.
constexpr std::size_t kDefaultWidth = 120;

struct FlagSpec {
  std::string_view name;
  std::string_view placeholder;  // empty: a switch, no value
  std::string_view help;
};

const FlagSpec kStatusFlags[] = {
    {"url", "URL",
     "The agent, or one of its health paths (default \"http://127.0.0.1:9810/health\"; "
     "\"https://host:9810\" means its /health, \"http://host:9810/health/ready\" one group)."},
    {"timeout", "DURATION", "Give up when the whole answer has not come within this (default \"5s\")."},
    {"username", "USER", "Basic auth user, with --password-file."},
    {"password-file", "PATH", "File whose first line is the basic auth password."},
    {"ca-file", "PATH", "CA certificates (PEM) to verify an https agent with (default: the system's)."},
    {"cert-file", "PATH", "Client certificate (PEM), with --key-file, for an agent that asks for one."},
    {"key-file", "PATH", "The client certificate's private key (PEM)."},
    {"insecure-skip-verify", "", "Do not verify the agent's certificate or name."},
    {"json", "", "Print the report as JSON (as /health sends it), for scripts."},
    {"quiet", "", "Print nothing; the exit code only (a container's HEALTHCHECK)."},
    {"color", "WHEN", "auto (on a terminal, unless NO_COLOR is set), always or never (default \"auto\")."},
    {"help", "", "Show this help and exit."},
};

// "http://host:port" and "http://host:port/" ask /health; a path or a query
// is kept ("/health/ready", "/health?tag=db"). nullopt, with `error` set, for
// anything else.
std::optional<std::string> HealthUrl(std::string_view url, std::string* error) {
  std::size_t scheme_end = 0;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.substr(0, scheme.size()) == scheme) {
      scheme_end = scheme.size();
    }
  }
  const std::size_t path_start =
      scheme_end == 0 ? 0 : std::min(url.find_first_of("/?#", scheme_end), url.size());
  if (scheme_end == 0 || path_start == scheme_end) {
    *error = "invalid --url \"" + std::string(url) + "\": " +
             (scheme_end == 0
                  ? "expected http://host:port or https://host:port, with a /health path or none"
                  : "no host");
    return std::nullopt;
  }
  const std::string_view rest = url.substr(path_start);
  if (rest.empty() || rest == "/") {
    return std::string(url.substr(0, path_start)) + "/health";
  }
  if (rest.front() == '?') {
    return std::string(url.substr(0, path_start)) + "/health" + std::string(rest);
  }
  return std::string(url);
}

}  // namespace

std::string StatusHelpText() {
  std::ostringstream out;
  out << "usage: vitals status [<flags>]\n\n"
         "Asks a running vitals for its health report, prints it, and exits with its status:\n"
         "0 Healthy, 1 Degraded, 2 Unhealthy, 3 unknown (no answer, not a health report, bad flags).\n\n"
         "Flags:\n";
  for (const FlagSpec& flag : kStatusFlags) {
    out << HelpLine("--" + std::string(flag.name) +
                        (flag.placeholder.empty() ? "" : "=" + std::string(flag.placeholder)),
                    flag.help);
  }
  return out.str();
}

std::variant<StatusOptions, std::string> ParseStatusFlags(const std::vector<std::string>& args) {
  StatusOptions options;
  std::string url(kDefaultStatusUrl);
  bool json = false;
  bool quiet = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto flag = SplitFlag(args[i]);
    if (!flag) {
      return "unexpected argument \"" + args[i] + "\" (flags start with --; try vitals status --help)";
    }
    const std::string& name = flag->name;
    const auto spec = std::find_if(std::begin(kStatusFlags), std::end(kStatusFlags),
                                   [&](const FlagSpec& f) { return f.name == name; });
    if (spec == std::end(kStatusFlags)) {
      return "unknown flag --" + name + " (try vitals status --help)";
    }
    if (spec->placeholder.empty()) {
      if (flag->value) {
        return "flag --" + name + " takes no value";
      }
      (name == "insecure-skip-verify" ? options.tls.insecure_skip_verify
       : name == "json"               ? json
       : name == "quiet"              ? quiet
                                      : options.help) = true;
      continue;
    }
    const std::optional<std::string> value = flag->TakeValue(args, i);
    if (!value) {
      return "flag --" + name + " needs a value";
    }
    if (value->empty()) {
      return "flag --" + name + " needs a value, got \"\"";
    }
    if (name == "url") {
      url = *value;
    } else if (name == "timeout") {
      auto timeout = config::ParseDuration(*value);
      if (!timeout || timeout->count() <= 0) {
        return "invalid --timeout \"" + *value + "\": expected a duration like \"5s\" or \"500ms\"";
      }
      options.timeout = *timeout;
    } else if (name == "username") {
      options.username = *value;
    } else if (name == "password-file") {
      options.password_file = *value;
    } else if (name == "ca-file") {
      options.tls.ca_file = *value;
    } else if (name == "cert-file") {
      options.tls.cert_file = *value;
    } else if (name == "key-file") {
      options.tls.key_file = *value;
    } else if (name == "color") {
      if (*value == "auto") {
        options.color = ColorMode::kAuto;
      } else if (*value == "always") {
        options.color = ColorMode::kAlways;
      } else if (*value == "never") {
        options.color = ColorMode::kNever;
      } else {
        return "invalid --color \"" + *value + "\": expected auto, always or never";
      }
    }
  }
  if (options.help) {
    return options;
  }
  std::string error;
  auto health_url = HealthUrl(url, &error);
  if (!health_url) {
    return error;
  }
  options.url = std::move(*health_url);
  if (json && quiet) {
    return "give --json or --quiet, not both";
  }
  options.output = json ? Output::kJson : quiet ? Output::kQuiet : Output::kTable;
  if (options.username.empty() != options.password_file.empty()) {
    return "--username and --password-file go together";
  }
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    return "--cert-file and --key-file go together";
  }
  const bool tls_flags = !options.tls.ca_file.empty() || !options.tls.cert_file.empty() ||
                         options.tls.insecure_skip_verify;
  if (tls_flags && options.url.rfind("https://", 0) != 0) {
    return "--ca-file, --cert-file, --key-file and --insecure-skip-verify need an https:// --url";
  }
  return options;
}

std::variant<StatusReport, std::string> ParseStatusReport(std::string_view body) {
  const auto doc = nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return std::string("not JSON");
  }
  const auto status_of = [](const nlohmann::ordered_json& object) -> std::optional<HealthStatus> {
    auto it = object.find("status");
    if (it == object.end() || !it->is_string()) {
      return std::nullopt;
    }
    const auto& text = it->get_ref<const std::string&>();
    for (HealthStatus s : health::kAllStatuses) {
      if (text == health::StatusName(s)) {
        return s;
      }
    }
    return std::nullopt;
  };
  const auto text_of = [](const nlohmann::ordered_json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!doc.is_object()) {
    return std::string("JSON, but not an object");
  }
  StatusReport report;
  auto overall = status_of(doc);
  if (!overall) {
    return std::string("no \"status\" of Healthy, Degraded or Unhealthy");
  }
  report.status = *overall;
  auto entries = doc.find("entries");
  if (entries == doc.end() || !entries->is_object()) {
    return std::string("no \"entries\" object");
  }
  for (const auto& [name, entry] : entries->items()) {
    auto status = entry.is_object() ? status_of(entry) : std::nullopt;
    if (!status) {
      return "entry \"" + probes::Excerpt(name) + "\" has no \"status\" of Healthy, Degraded or Unhealthy";
    }
    report.rows.push_back(
        {*status, name, text_of(entry, "description"), text_of(entry, "duration")});
  }
  std::stable_sort(report.rows.begin(), report.rows.end(),
                   [](const StatusRow& a, const StatusRow& b) { return a.status < b.status; });
  return report;
}

std::string RenderStatusTable(const StatusReport& report, std::string_view source,
                              const TableStyle& style) {
  const auto paint = [&](HealthStatus status, std::string_view text) {
    if (!style.color) {
      return std::string(text);
    }
    const char* code = status == HealthStatus::kHealthy    ? "\x1b[32m"
                       : status == HealthStatus::kDegraded ? "\x1b[33m"
                                                           : "\x1b[1;31m";
    return code + std::string(text) + "\x1b[0m";
  };

  // Summary: the status, the count per status (worst first), where from.
  const std::string_view overall = health::StatusName(report.status);
  std::string summary = "  ";
  if (report.rows.empty()) {
    summary += "no checks";
  } else {
    summary += std::to_string(report.rows.size()) + (report.rows.size() == 1 ? " check:" : " checks:");
    const char* separator = " ";
    for (HealthStatus s : health::kAllStatuses) {
      const auto n = std::count_if(report.rows.begin(), report.rows.end(),
                                   [&](const StatusRow& row) { return row.status == s; });
      if (n > 0) {
        summary += separator + std::to_string(n) + " " + std::string(health::StatusName(s));
        separator = ", ";
      }
    }
  }
  summary += "  " + probes::RedactDsn(std::string(source));
  std::string out = paint(report.status, overall) +
                    TerminalText(summary, style.width - std::min(style.width, overall.size())).text +
                    "\n";
  if (report.rows.empty()) {
    return out;
  }

  // Columns: STATUS (its longest word), CHECK and TOOK as wide as their
  // longest cell within bounds, DESCRIPTION the rest.
  constexpr std::size_t kGap = 2;
  constexpr std::size_t kStatusColumns = 9;  // "Unhealthy"
  const std::size_t max_name = std::max<std::size_t>(12, style.width / 3);
  std::size_t name_columns = 5;  // "CHECK"
  std::size_t took_columns = 4;  // "TOOK"
  for (const StatusRow& row : report.rows) {
    name_columns = std::max(name_columns, TerminalText(row.name, max_name).columns);
    took_columns = std::max(took_columns, TerminalText(row.duration, 10).columns);
  }
  // On a narrow terminal the names give way first, down to "CHECK".
  constexpr std::size_t kMinDescription = 11;  // "DESCRIPTION"
  const std::size_t fixed = kStatusColumns + took_columns + 3 * kGap + kMinDescription;
  name_columns = std::max<std::size_t>(5, std::min(name_columns, style.width - std::min(style.width, fixed)));
  const std::size_t used = kStatusColumns + name_columns + took_columns + 3 * kGap;
  const std::size_t description_columns = std::max(kMinDescription, style.width - std::min(style.width, used));

  const auto pad = [](std::string text, std::size_t columns, std::size_t width) {
    return text + std::string(width - std::min(width, columns), ' ') + std::string(kGap, ' ');
  };
  const auto line = [&](std::string status_cell, const TerminalCell& name, const TerminalCell& took,
                        const TerminalCell& description) {
    std::string row = status_cell + pad(name.text, name.columns, name_columns) +
                      pad(took.text, took.columns, took_columns) + description.text;
    row.erase(row.find_last_not_of(' ') + 1);
    return row + "\n";
  };
  out += "\n";
  out += line(pad("STATUS", 6, kStatusColumns), {"CHECK", 5}, {"TOOK", 4}, {"DESCRIPTION", 11});
  for (const StatusRow& row : report.rows) {
    const std::string_view word = health::StatusName(row.status);
    out += line(pad(paint(row.status, word), word.size(), kStatusColumns),
                TerminalText(row.name, name_columns), TerminalText(row.duration, took_columns),
                TerminalText(row.description, description_columns));
  }
  return out;
}

int ExitCodeFor(HealthStatus status) {
  switch (status) {
    case HealthStatus::kHealthy: return 0;
    case HealthStatus::kDegraded: return 1;
    case HealthStatus::kUnhealthy: return 2;
  }
  return kStatusUnknown;
}

namespace {

struct Answer {
  long http_status = 0;
  std::string body;
  bool too_big = false;
};

std::size_t OnAnswerBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* answer = static_cast<Answer*>(user);
  const std::size_t n = size * count;
  if (answer->body.size() + n > kMaxAnswerBytes) {
    answer->too_big = true;
    return 0;  // anything short of n stops the transfer
  }
  answer->body.append(data, n);
  return n;
}

// The answer, or why there is none.
std::variant<Answer, std::string> Fetch(const StatusOptions& options) {
  try {
    char error[CURL_ERROR_SIZE];
    probes::CurlHandle handle = probes::NewHttpTransfer(
        {.url = options.url,
         .timeout = options.timeout,
         .user_agent = "vitals-status/" + std::string(kVersion),
         .tls = options.tls,
         .username = options.username,
         .password = options.password_file.empty()
                         ? std::string()
                         : probes::ReadPasswordFile(options.password_file)},
        error);
    Answer answer;
    const auto& curl = probes::Curl();
    curl.curl_easy_setopt(handle.get(), CURLOPT_WRITEFUNCTION, OnAnswerBody);
    curl.curl_easy_setopt(handle.get(), CURLOPT_WRITEDATA, &answer);
    const CURLcode rc = curl.curl_easy_perform(handle.get());
    if (answer.too_big) {
      return "the answer is larger than " + std::to_string(kMaxAnswerBytes >> 20) +
             " MiB: not a vitals health report";
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return "no complete answer within the " + probes::FormatSeconds(options.timeout) +
             " timeout (" + probes::CurlErrorText(rc, error) + ")";
    }
    if (rc != CURLE_OK) {
      return probes::CurlErrorText(rc, error);
    }
    curl.curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &answer.http_status);
    return answer;
  } catch (const probes::ProbeFailure& e) {
    return std::string(e.what());
  }
}

bool UseColor(ColorMode mode) {
  if (mode != ColorMode::kAuto) {
    return mode == ColorMode::kAlways;
  }
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) != 0 && (no_color == nullptr || *no_color == '\0') &&
         (term == nullptr || std::string_view(term) != "dumb");
}

}  // namespace

int RunStatusCommand(const std::vector<std::string>& args) {
  auto parsed = ParseStatusFlags(args);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "vitals status: error: %s\n", err->c_str());
    return kStatusUnknown;
  }
  const StatusOptions& options = std::get<StatusOptions>(parsed);
  if (options.help) {
    std::fputs(StatusHelpText().c_str(), stdout);
    return 0;
  }
  const std::string shown_url = probes::RedactDsn(options.url);
  const auto unknown = [&](const std::string& why) {
    if (options.output != Output::kQuiet) {
      std::fprintf(stderr, "vitals status: %s: %s\n", shown_url.c_str(), why.c_str());
    }
    return kStatusUnknown;
  };

  auto fetched = Fetch(options);
  if (auto* err = std::get_if<std::string>(&fetched)) {
    return unknown(*err);
  }
  const Answer& answer = std::get<Answer>(fetched);
  auto report = ParseStatusReport(answer.body);
  if (auto* err = std::get_if<std::string>(&report)) {
    if (answer.http_status == 401) {
      return unknown(options.username.empty()
                         ? "answered 401 Unauthorized: give --username and --password-file"
                         : "answered 401 Unauthorized: the credentials were refused");
    }
    std::string why = "answered " + std::to_string(answer.http_status) +
                      ", not a vitals health report (" + *err + ")";
    const std::string_view body = answer.body;
    if (const std::size_t end = body.find_last_not_of(" \t\r\n"); end != std::string_view::npos) {
      why += ": " + probes::Excerpt(body.substr(0, end + 1));
    }
    return unknown(why);
  }
  const StatusReport& parsed_report = std::get<StatusReport>(report);
  switch (options.output) {
    case Output::kQuiet:
      break;
    case Output::kJson:
      // The agent's own JSON: it parsed as a report above.
      std::fputs(answer.body.c_str(), stdout);
      if (answer.body.empty() || answer.body.back() != '\n') {
        std::fputc('\n', stdout);
      }
      break;
    case Output::kTable: {
      const std::size_t columns = TerminalColumns(STDOUT_FILENO);
      const TableStyle style{columns > 0 ? columns : kDefaultWidth, UseColor(options.color)};
      std::fputs(RenderStatusTable(parsed_report, options.url, style).c_str(), stdout);
      break;
    }
  }
  if (std::fflush(stdout) != 0) {
    return unknown("cannot write the output");
  }
  return ExitCodeFor(parsed_report.status);
}

}  // namespace vitals::cli
