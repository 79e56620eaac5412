#include "agent/probes/probe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <regex>

namespace vitals::probes {

const collectors::MetricDesc kIpProtocol = health::CheckGauge(
    "vitals_probe_ip_protocol", "IP version a probe connected with (4 or 6).");
const collectors::MetricDesc kSslEarliestCertExpiry = health::CheckGauge(
    "vitals_probe_ssl_earliest_cert_expiry",
    "When the peer certificate that expires first expires, in seconds since the epoch.");

health::CheckResult ProbeCheck::Run(const health::CheckContext& ctx) {
  // A probe gives up a little before the scheduler's deadline (2 %, at most
  // 20 ms), so that what it was waiting for ("connect to ...: no answer
  // within the 2s timeout") is what gets recorded, not the scheduler's bare
  // "timed out" for an abandoned run.
  const health::Duration budget = ctx.deadline - ctx.now;
  const health::Duration margin = std::clamp<health::Duration>(
      budget / 50, std::chrono::milliseconds(1), std::chrono::milliseconds(20));
  ProbeRun run{Deadline{ctx.deadline - margin, ctx.stop, std::chrono::steady_clock::now(), budget},
               nlohmann::json::object(),
               {}};
  health::CheckResult result;
  bool failed = false;
  try {
    result = Probe(run);
  } catch (const ProbeFailure& e) {
    failed = true;
    result = health::CheckResult::Of(on_failure_, e.what());
  } catch (const platform::LibraryError& e) {  // a table used before Need()
    failed = true;
    result = health::CheckResult::Of(on_failure_, e.what());
  }
  for (auto& [key, value] : result.data.items()) {
    run.data[key] = std::move(value);
  }
  run.data["success"] = !failed && result.status != health::HealthStatus::kUnhealthy;
  if (!run.secrets.empty()) {
    result.description = Redact(std::move(result.description), run.secrets);
    run.data = nlohmann::json::parse(Redact(run.data.dump(), run.secrets));
  }
  result.data = std::move(run.data);
  return result;
}

std::string ReadPasswordFile(const std::string& path) {
  // Non-blocking, and a regular file only: a FIFO or a device there must
  // not hold the probe past its deadline.
  platform::Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) {
    throw ProbeFailure("cannot read password_file " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw ProbeFailure("password_file " + path + " is not a regular file");
  }
  char buf[4096];
  const ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n < 0) {
    throw ProbeFailure("cannot read password_file " + path + ": " + std::strerror(errno));
  }
  std::string value(buf, static_cast<std::size_t>(n));
  value = value.substr(0, value.find('\n'));
  if (!value.empty() && value.back() == '\r') {
    value.pop_back();
  }
  if (value.empty()) {
    throw ProbeFailure("password_file " + path + " is empty");
  }
  return value;
}

std::string ReadSecret(const config::Secret& secret, ProbeRun& run) {
  std::string value;
  if (secret.value) {
    value = *secret.value;
  } else if (secret.file) {
    value = ReadPasswordFile(*secret.file);
  }
  if (!value.empty()) {
    run.secrets.push_back(value);
  }
  return value;
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.size() < 3) {
      continue;  // "a" everywhere would make every text unreadable
    }
    for (std::size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), "<redacted>");
      pos += 10;
    }
  }
  return text;
}

std::string Excerpt(std::string_view text, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (text.size() > max) {
    out += "...";
  }
  return out;
}

std::string HumanDuration(double seconds) {
  char buf[32];
  const double a = seconds < 0 ? -seconds : seconds;
  if (a >= 86400) {
    std::snprintf(buf, sizeof buf, "%.1fd", a / 86400);
  } else if (a >= 3600) {
    std::snprintf(buf, sizeof buf, "%.1fh", a / 3600);
  } else if (a >= 60) {
    std::snprintf(buf, sizeof buf, "%.1fm", a / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.1fs", a);
  }
  return buf;
}

std::string RedactDsn(const std::string& dsn) {
  // URI: scheme://user:password@host...
  static const std::regex uri(R"(^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*):[^@/]*@)");
  // key=value: password=secret or password='se cret'
  static const std::regex kv(R"((^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+))");
  std::string out = std::regex_replace(dsn, uri, "$1:<redacted>@");
  out = std::regex_replace(out, kv, "$1password=<redacted>");
  // URI query parameter: ?password=secret&...
  static const std::regex query(R"(([?&])password=[^&]*)");
  return std::regex_replace(out, query, "$1password=<redacted>");
}

}  // namespace vitals::probes
