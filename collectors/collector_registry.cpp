#include "collectors/collector_registry.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vitals::collectors {

CollectorRegistry& CollectorRegistry::Mutable() {
  static CollectorRegistry registry;  // built on first use: registrations may run in any order
  return registry;
}

const CollectorRegistry& CollectorRegistry::Builtin() { return Mutable(); }

bool detail::RegisterBuiltin(CollectorInfo info) {
  return CollectorRegistry::Mutable().Register(std::move(info));
}

bool CollectorRegistry::Register(CollectorInfo info) {
  if (Find(info.name) != nullptr) {
    throw std::logic_error("collector \"" + std::string(info.name) + "\" registered twice");
  }
  for (const FlagSpec& flag : info.flags) {
    if (FindFlag(flag.name) != nullptr) {
      throw std::logic_error("collector flag --" + std::string(flag.name) + " declared twice");
    }
    if (std::string err = ValidateFlag(flag, flag.default_value); !err.empty()) {
      throw std::logic_error("default of " + err.substr(8));  // drop "invalid "
    }
  }
  auto at = std::lower_bound(all_.begin(), all_.end(), info.name,
                             [](const CollectorInfo& a, std::string_view b) { return a.name < b; });
  all_.insert(at, std::move(info));
  return true;
}

const CollectorInfo* CollectorRegistry::Find(std::string_view name) const {
  for (const auto& info : all_) {
    if (info.name == name) {
      return &info;
    }
  }
  return nullptr;
}

const FlagSpec* CollectorRegistry::FindFlag(std::string_view name) const {
  for (const auto& info : all_) {
    for (const FlagSpec& flag : info.flags) {
      if (flag.name == name) {
        return &flag;
      }
    }
  }
  return nullptr;
}

FlagValues CollectorRegistry::DefaultFlags() const {
  FlagValues values;
  for (const auto& info : all_) {
    for (const FlagSpec& flag : info.flags) {
      values.Set(flag.name, std::string(flag.default_value));
    }
  }
  return values;
}

}  // namespace vitals::collectors
