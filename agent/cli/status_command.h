#pragma once
// `vitals status`: asks a running agent for its /health report and prints it
// for a person (a table, coloured on a terminal), for a script (--json) or
// for nobody (--quiet, as in a container's HEALTHCHECK); the exit code is the
// status: 0 Healthy, 1 Degraded, 2 Unhealthy, 3 unknown (no answer, an answer
// that is not a health report, or a bad flag, as Nagios plugins say UNKNOWN).
//
// The request goes through the http probe's libcurl, loaded on demand
// (agent/probes/curl.h). Credentials are given as flags, not read from
// --web.config.file: that file holds only bcrypt hashes of the passwords.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/health/status.h"
#include "config/probes.h"

namespace vitals::cli {

enum class Output { kTable, kJson, kQuiet };
enum class ColorMode { kAuto, kAlways, kNever };

inline constexpr std::string_view kDefaultStatusUrl = "http://127.0.0.1:9810/health";

struct StatusOptions {
  std::string url{kDefaultStatusUrl};  // always with a path: "/health" when none was given
  std::chrono::milliseconds timeout{5'000};
  std::string username;       // basic auth, with password_file
  std::string password_file;  // its first line is the password
  config::TlsClientConfig tls;  // ca_file, cert_file + key_file, insecure_skip_verify
  Output output = Output::kTable;
  ColorMode color = ColorMode::kAuto;
  bool help = false;
};

// The options, or one line saying what was wrong.
std::variant<StatusOptions, std::string> ParseStatusFlags(const std::vector<std::string>& args);
std::string StatusHelpText();

// One check of the report, as the agent sent it.
struct StatusRow {
  health::HealthStatus status = health::HealthStatus::kUnhealthy;
  std::string name;
  std::string description;
  std::string duration;  // "0.004s", the agent's spelling
};

struct StatusReport {
  health::HealthStatus status = health::HealthStatus::kUnhealthy;
  std::vector<StatusRow> rows;  // worst first, then in the agent's order
};

// Reads a /health answer: a JSON object with "status" and "entries" (each
// with "status", and "description" and "duration" when present), the shape
// agent/health/report.cpp writes. Says what is missing or wrong otherwise.
std::variant<StatusReport, std::string> ParseStatusReport(std::string_view body);

struct TableStyle {
  std::size_t width = 120;  // columns; long names and descriptions are cut to fit
  bool color = false;       // ANSI colours on the status words
};

// The summary line, then one row per check: STATUS, CHECK, TOOK, DESCRIPTION.
// Every cell is one line of visible text (agent/cli/terminal_text.h).
std::string RenderStatusTable(const StatusReport& report, std::string_view source,
                              const TableStyle& style);

// 0 Healthy, 1 Degraded, 2 Unhealthy.
int ExitCodeFor(health::HealthStatus status);
inline constexpr int kStatusUnknown = 3;

// The whole command: flags, request, output on stdout (errors on stderr,
// none with --quiet), and the exit code.
int RunStatusCommand(const std::vector<std::string>& args);

}  // namespace vitals::cli
