#pragma once
// The registry of host collectors. Each collector registers itself with one
// line at the end of its file (VITALS_REGISTER_COLLECTOR, collector.h says
// how to add one); there is no central list to keep in step. The host
// collectors are one library linked whole into every binary
// (collectors/host/CMakeLists.txt), so no registration is dropped by the linker.
// The registry carries each collector's name, help, default, flags and
// factory; --help, the flag parser, the landing page and the tests read it.

#include <span>
#include <string_view>
#include <vector>

#include "collectors/collector.h"
#include "collectors/collector_flags.h"

namespace vitals::collectors {

struct CollectorInfo {
  std::string_view name;
  std::string_view help;
  bool enabled_by_default;
  std::span<const FlagSpec> flags;
  CollectorFactory factory;
};

namespace detail {
bool RegisterBuiltin(CollectorInfo info);  // what VITALS_REGISTER_COLLECTOR calls
}  // namespace detail

class CollectorRegistry {
 public:
  // The built-in host collectors, every registration done (they run during
  // static initialization, before main).
  static const CollectorRegistry& Builtin();

  // Adds `info` (also for tests' own registries); returns true so that a
  // registration can initialize a static.
  bool Register(CollectorInfo info);

  // Sorted by name.
  const std::vector<CollectorInfo>& all() const { return all_; }
  const CollectorInfo* Find(std::string_view name) const;
  // The collector flag called `name` (without "--"), if one declares it.
  const FlagSpec* FindFlag(std::string_view name) const;
  // Every declared flag at its default.
  FlagValues DefaultFlags() const;

 private:
  friend bool detail::RegisterBuiltin(CollectorInfo info);
  static CollectorRegistry& Mutable();
  std::vector<CollectorInfo> all_;
};

inline constexpr bool kEnabled = true;
inline constexpr bool kDisabled = false;

// A factory that builds `T` from the context.
template <class T>
CollectorFactory MakeFactory() {
  return [](const CollectorContext& ctx) -> std::unique_ptr<Collector> {
    return std::make_unique<T>(ctx);
  };
}

}  // namespace vitals::collectors

// Registers the built-in host collector `name` (an identifier, as on the
// command line: --collector.<name>), implemented by class `type`, with its
// help text, default (kEnabled / kDisabled) and flags (a span of FlagSpec).
#define VITALS_REGISTER_COLLECTOR(name, help, enabled, flags, type)                          \
  [[maybe_unused]] static const bool vitals_registered_##name =                                \
      ::vitals::collectors::detail::RegisterBuiltin(::vitals::collectors::CollectorInfo{       \
          #name, help, enabled, flags, ::vitals::collectors::MakeFactory<type>()})
