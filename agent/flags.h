#pragma once
// Command-line flags in the style of Prometheus exporters (kingpin):
// --name=value or --name value, --collector.<name> / --no-collector.<name>.
// The collectors and their own flags (--collector.vmstat.fields, ...) come
// from the registry, which validates their values: this file knows none.

#include <filesystem>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/log/log.h"
#include "collectors/collector_registry.h"
#include "config/host_port.h"

namespace vitals {

// --web.listen-address: ":9810", "127.0.0.1:9810", "[::1]:9810" or
// "localhost:9810" (config/host_port.h has the rules).
using ListenAddress = config::HostPort;
std::variant<ListenAddress, std::string> ParseListenAddress(std::string_view text);

struct Options {
  ListenAddress listen;
  std::string telemetry_path = "/metrics";
  std::filesystem::path web_config_file;  // empty: plain HTTP, no auth, default limits
  std::filesystem::path procfs = "/proc";
  std::filesystem::path sysfs = "/sys";
  std::filesystem::path rootfs = "/";
  std::vector<std::string> collectors;  // enabled, in registry order
  collectors::FlagValues collector_flags;  // every collector flag, defaults filled
  log::Level log_level = log::Level::kInfo;
  log::Format log_format = log::Format::kLogfmt;
  bool version = false;
  bool help = false;
  std::filesystem::path config_file;  // empty: the embedded default
  bool config_check = false;          // validate the config and exit
  // node_exporter_build_info, process_exporter_build_info,
  // namedprocess_scrape_errors and node_scrape_collector_* for dashboards
  // made for those exporters (agent/scrape/scrape_collectable.cpp).
  bool exporter_identity = true;
  // Hidden, for tests on captured trees (the golden files): the page size
  // and USER_HZ of the machine --path.procfs was captured on, instead of
  // this host's. Not in --help.
  std::optional<std::uint64_t> testing_page_size;    // --testing.page-size
  std::optional<std::uint64_t> testing_clock_ticks;  // --testing.clock-ticks
};

inline constexpr std::string_view kDefaultListenAddress = ":9810";

// Returns the options or one line saying what was wrong.
std::variant<Options, std::string> ParseFlags(const std::vector<std::string>& args,
                                              const collectors::CollectorRegistry& registry);
std::string HelpText(const collectors::CollectorRegistry& registry);

}  // namespace vitals
