#pragma once
// node_exporter's deviceFilter, for collectors with a pair of
// --collector.<name>.device-exclude / -include flags (netdev, arp, diskstats): a device
// is ignored when the exclude regex is set and matches its name, or the
// include regex is set and does not. An empty flag is no filter (not Go's
// empty regex, which matches everything).

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

#include "collectors/collector_flags.h"

namespace vitals::collectors {

class DeviceFilter {
 public:
  // The patterns are flag values, validated already.
  DeviceFilter(const std::string& exclude, const std::string& include)
      : exclude_(Compile(exclude)), include_(Compile(include)) {}
  DeviceFilter(const FlagValues& flags, std::string_view exclude_flag, std::string_view include_flag)
      : DeviceFilter(flags.String(exclude_flag), flags.String(include_flag)) {}

  bool Ignored(std::string_view device) const {
    return (exclude_ && MatchesGo(*exclude_, device)) || (include_ && !MatchesGo(*include_, device));
  }
  bool has_exclude() const { return exclude_ != nullptr; }
  bool has_include() const { return include_ != nullptr; }

 private:
  static std::unique_ptr<RE2> Compile(const std::string& pattern) {
    return pattern.empty() ? nullptr : std::make_unique<RE2>(pattern);
  }

  std::unique_ptr<RE2> exclude_;
  std::unique_ptr<RE2> include_;
};

}  // namespace vitals::collectors
