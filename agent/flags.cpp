#include "agent/flags.h"

#include <arpa/inet.h>

#include <charconv>
#include <set>
#include <sstream>

namespace vitals {

std::string ListenAddress::ToCivetweb() const {
  std::string port_text = std::to_string(port);
  if (host.empty()) {
    return port_text;
  }
  return ipv6 ? "[" + host + "]:" + port_text : host + ":" + port_text;
}

std::string ListenAddress::ToString() const {
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::variant<ListenAddress, std::string> ParseListenAddress(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return "invalid --web.listen-address \"" + std::string(text) + "\": " + std::string(why);
  };
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return fail("expected host:port, e.g. \":9810\" or \"127.0.0.1:9810\"");
  }
  ListenAddress out;
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value > 65535) {
    return fail("port must be a number from 0 to 65535");
  }
  out.port = static_cast<int>(value);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    in6_addr addr{};
    if (inet_pton(AF_INET6, std::string(host).c_str(), &addr) != 1) {
      return fail("not an IPv6 address between the brackets");
    }
    out.host = std::string(host);
    out.ipv6 = true;
    return out;
  }
  if (host == "localhost") {
    host = "127.0.0.1";
  }
  if (!host.empty()) {
    in_addr addr{};
    if (inet_pton(AF_INET, std::string(host).c_str(), &addr) != 1) {
      return fail("host must be empty, an IPv4 address, [IPv6] or localhost");
    }
  }
  out.host = std::string(host);
  return out;
}

namespace {

struct FlagSpec {
  std::string_view name;
  std::string_view placeholder;
  std::string_view help;
};

const FlagSpec kFlags[] = {
    {"web.listen-address", "ADDRESS", "Address to listen on for the web interface and telemetry (default \":9810\")."},
    {"web.telemetry-path", "PATH", "Path under which to expose metrics (default \"/metrics\")."},
    {"web.config.file", "PATH", "JSON file with TLS, basic auth and connection limits (see README; default: none)."},
    {"path.procfs", "PATH", "procfs mountpoint (default \"/proc\")."},
    {"path.sysfs", "PATH", "sysfs mountpoint (default \"/sys\")."},
    {"log.level", "LEVEL", "Only log messages with the given severity or above: debug, info, warn, error (default \"info\")."},
    {"log.format", "FORMAT", "Output format of log messages: logfmt or json (default \"logfmt\")."},
    {"config.file", "PATH", "JSON configuration file (default: the embedded one, which groups only the agent's own process)."},
};

}  // namespace

std::string HelpText(const collectors::CollectorRegistry& registry) {
  std::ostringstream out;
  out << "usage: vitals [<flags>]\n\n"
         "Host, process and health metrics for Prometheus.\n\nFlags:\n"
         "  --help                     Show this help and exit.\n"
         "  --version                  Show the version and exit.\n";
  for (const auto& flag : kFlags) {
    std::string left = "--" + std::string(flag.name) + "=" + std::string(flag.placeholder);
    out << "  " << left << std::string(left.size() < 25 ? 25 - left.size() : 1, ' ') << flag.help
        << "\n";
  }
  out << "  --config.check             Check the configuration, print every problem, and exit (0: valid, 1: not).\n";
  out << "  --collector.disable-defaults Disable every collector not enabled explicitly.\n";
  for (const auto& info : registry.all()) {
    std::string left = "--[no-]collector." + std::string(info.name);
    out << "  " << left << std::string(left.size() < 25 ? 25 - left.size() : 1, ' ') << info.help
        << " (default: " << (info.enabled_by_default ? "enabled" : "disabled") << ").\n";
  }
  return out.str();
}

std::variant<Options, std::string> ParseFlags(const std::vector<std::string>& args,
                                              const collectors::CollectorRegistry& registry) {
  Options options;
  options.listen = std::get<ListenAddress>(ParseListenAddress(kDefaultListenAddress));
  std::map<std::string, bool, std::less<>> switches;
  bool disable_defaults = false;

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) {
      return "unexpected argument \"" + arg + "\" (flags start with --; try --help)";
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    auto no_value = [&]() -> std::string {
      return value ? "flag --" + name + " takes no value" : "";
    };

    if (name == "help" || name == "version" || name == "collector.disable-defaults" ||
        name == "config.check") {
      if (auto err = no_value(); !err.empty()) {
        return err;
      }
      (name == "help"             ? options.help
       : name == "version"        ? options.version
       : name == "config.check"   ? options.config_check
                                  : disable_defaults) = true;
      continue;
    }
    for (std::string_view prefix : {"collector.", "no-collector."}) {
      if (name.rfind(prefix, 0) == 0) {
        std::string collector = name.substr(prefix.size());
        if (registry.Find(collector) == nullptr) {
          return "unknown collector in flag --" + name + " (see --help for the list)";
        }
        if (auto err = no_value(); !err.empty()) {
          return err;
        }
        switches[collector] = prefix == "collector.";
        goto next_arg;
      }
    }
    {
      bool known = false;
      for (const auto& flag : kFlags) {
        known = known || flag.name == name;
      }
      if (!known) {
        return "unknown flag --" + name + " (try --help)";
      }
      if (!value) {
        if (i + 1 >= args.size()) {
          return "flag --" + name + " needs a value";
        }
        value = args[++i];
      }
      if (name == "web.listen-address") {
        auto parsed = ParseListenAddress(*value);
        if (auto* err = std::get_if<std::string>(&parsed)) {
          return *err;
        }
        options.listen = std::get<ListenAddress>(parsed);
      } else if (name == "web.telemetry-path") {
        if (value->empty() || value->front() != '/' || *value == "/") {
          return "invalid --web.telemetry-path \"" + *value + "\": must start with / and not be /";
        }
        options.telemetry_path = *value;
      } else if (name == "web.config.file") {
        if (value->empty()) {
          return "invalid --web.config.file \"\": expected a path";
        }
        options.web_config_file = *value;
      } else if (name == "path.procfs") {
        options.procfs = *value;
      } else if (name == "path.sysfs") {
        options.sysfs = *value;
      } else if (name == "config.file") {
        if (value->empty()) {
          return "invalid --config.file \"\": expected a path";
        }
        options.config_file = *value;
      } else if (name == "log.level") {
        auto level = log::ParseLevel(*value);
        if (!level) {
          return "invalid --log.level \"" + *value + "\": expected debug, info, warn or error";
        }
        options.log_level = *level;
      } else if (name == "log.format") {
        auto format = log::ParseFormat(*value);
        if (!format) {
          return "invalid --log.format \"" + *value + "\": expected logfmt or json";
        }
        options.log_format = *format;
      }
    }
  next_arg:;
  }

  for (const auto& info : registry.all()) {
    auto it = switches.find(info.name);
    bool on = it != switches.end() ? it->second : (info.enabled_by_default && !disable_defaults);
    if (on) {
      options.collectors.emplace_back(info.name);
    }
  }
  return options;
}

}  // namespace vitals
