#include "agent/flags.h"

#include <charconv>
#include <set>
#include <sstream>

#include "agent/cli/flag_syntax.h"

namespace vitals {

std::variant<ListenAddress, std::string> ParseListenAddress(std::string_view text) {
  std::string error;
  if (auto address = config::ParseHostPort(text, config::HostPortUse::kListen, &error)) {
    return *address;
  }
  return "invalid --web.listen-address: " + error;
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
    {"path.rootfs", "PATH", "rootfs mountpoint, for os-release and filesystems (default \"/\")."},
    {"log.level", "LEVEL", "Only log messages with the given severity or above: debug, info, warn, error (default \"info\")."},
    {"log.format", "FORMAT", "Output format of log messages: logfmt or json (default \"logfmt\")."},
    {"config.file", "PATH", "JSON configuration file (default: the embedded one, which groups only the agent's own process)."},
};

}  // namespace

std::string HelpText(const collectors::CollectorRegistry& registry) {
  std::ostringstream out;
  auto line = [&out](std::string_view flag, std::string_view help) { out << HelpLine(flag, help); };
  out << "usage: vitals [<flags>]\n"
         "       vitals status [<flags>]  (the running agent's health; see vitals status --help)\n\n"
         "Host, process and health metrics for Prometheus.\n\nFlags:\n";
  line("--help", "Show this help and exit.");
  line("--version", "Show the version and exit.");
  for (const auto& flag : kFlags) {
    line("--" + std::string(flag.name) + "=" + std::string(flag.placeholder), flag.help);
  }
  line("--config.check", "Check the configuration, print every problem, and exit (0: valid, 1: not).");
  line("--[no-]compat.exporter-identity",
       "Also export node_exporter_build_info, process_exporter_build_info, "
       "namedprocess_scrape_errors and node_scrape_collector_{duration_seconds,success}, with "
       "vitals' own values, for dashboards made for those exporters (default: enabled).");
  line("--collector.disable-defaults", "Disable every collector not enabled explicitly.");
  for (const auto& info : registry.all()) {
    line("--[no-]collector." + std::string(info.name),
         std::string(info.help) + " (default: " +
             (info.enabled_by_default ? "enabled" : "disabled") + ").");
    for (const auto& flag : info.flags) {
      bool is_bool = flag.kind == collectors::FlagKind::kBool;
      line("    --" + std::string(is_bool ? "[no-]" : "") + std::string(flag.name) +
               (is_bool ? "" : "=VALUE"),
           std::string(flag.help) + " (default: \"" + std::string(flag.default_value) + "\").");
    }
  }
  return out.str();
}

namespace {

// A collector's own flag (registry), with `value` when given as --name=value.
// Bool flags take --name, --no-name or --name=BOOL; others need a value.
std::string ParseCollectorFlag(const collectors::FlagSpec& spec, bool negated,
                               std::optional<std::string> value,
                               const std::vector<std::string>& args, std::size_t& i,
                               collectors::FlagValues& out) {
  const std::string name(spec.name);
  if (spec.kind == collectors::FlagKind::kBool) {
    if (negated && value) {
      return "flag --no-" + name + " takes no value";
    }
    value = value.value_or(negated ? "false" : "true");
  } else if (negated) {
    return "unknown flag --no-" + name + " (only on/off flags have a --no- form)";
  } else if (!value) {
    if (i + 1 >= args.size()) {
      return "flag --" + name + " needs a value";
    }
    value = args[++i];
  }
  if (std::string err = collectors::ValidateFlag(spec, *value); !err.empty()) {
    return err;
  }
  out.Set(spec.name, std::move(*value));
  return {};
}

}  // namespace

std::variant<Options, std::string> ParseFlags(const std::vector<std::string>& args,
                                              const collectors::CollectorRegistry& registry) {
  Options options;
  options.listen = std::get<ListenAddress>(ParseListenAddress(kDefaultListenAddress));
  options.collector_flags = registry.DefaultFlags();
  std::map<std::string, bool, std::less<>> switches;
  bool disable_defaults = false;

  for (std::size_t i = 0; i < args.size(); ++i) {
    auto argument = SplitFlag(args[i]);
    if (!argument) {
      return "unexpected argument \"" + args[i] + "\" (flags start with --; try --help)";
    }
    const std::string& name = argument->name;
    std::optional<std::string> value = argument->value;
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
    if (name == "compat.exporter-identity" || name == "no-compat.exporter-identity") {
      const bool negated = name.front() == 'n';
      std::optional<bool> on = !value ? std::optional<bool>(!negated)
                               : negated ? std::nullopt
                                         : collectors::ParseBoolFlag(*value);
      if (!on) {
        return "invalid --" + name + (value ? "=" + *value : "") +
               ": expected --compat.exporter-identity[=true|false] or --no-compat.exporter-identity";
      }
      options.exporter_identity = *on;
      continue;
    }
    for (std::string_view prefix : {"collector.", "no-collector."}) {
      if (name.rfind(prefix, 0) == 0 && registry.Find(name.substr(prefix.size())) != nullptr) {
        if (auto err = no_value(); !err.empty()) {
          return err;
        }
        switches[name.substr(prefix.size())] = prefix == "collector.";
        goto next_arg;
      }
    }
    {
      // A collector's own flag, or the --no- form of an on/off one.
      const bool negated = name.rfind("no-", 0) == 0;
      if (const auto* spec = registry.FindFlag(negated ? name.substr(3) : name)) {
        if (auto err = ParseCollectorFlag(*spec, negated, value, args, i, options.collector_flags);
            !err.empty()) {
          return err;
        }
        goto next_arg;
      }
      if (name.rfind("collector.", 0) == 0 || name.rfind("no-collector.", 0) == 0) {
        return "unknown collector or collector flag --" + name + " (see --help for the list)";
      }
    }
    if (name == "testing.page-size" || name == "testing.clock-ticks") {  // hidden: Options
      if (!value) {
        if (i + 1 >= args.size()) {
          return "flag --" + name + " needs a value";
        }
        value = args[++i];
      }
      std::uint64_t n = 0;
      auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
      if (ec != std::errc() || end != value->data() + value->size() || n == 0) {
        return "invalid --" + name + " \"" + *value + "\": expected a positive integer";
      }
      (name == "testing.page-size" ? options.testing_page_size : options.testing_clock_ticks) = n;
      continue;
    }
    {
      bool known = false;
      for (const auto& flag : kFlags) {
        known = known || flag.name == name;
      }
      if (!known) {
        return "unknown flag --" + name + " (try --help)";
      }
      value = argument->TakeValue(args, i);
      if (!value) {
        return "flag --" + name + " needs a value";
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
      } else if (name == "path.rootfs") {
        options.rootfs = *value;
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
