#pragma once
// UserNames: uid <-> user name for the process groups' `user` selector and
// {{.Username}} in their names.
// Thread contract: not thread-safe; one owner.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace vitals::collectors {

// uid <-> user name through getpwuid_r/getpwnam_r, cached: users rarely change
// and NSS lookups can be slow.
class UserNames {
 public:
  const std::string& Name(std::uint32_t uid);  // the number as text when unknown
  static std::optional<std::uint32_t> Resolve(const std::string& user);  // name or number

 private:
  std::unordered_map<std::uint32_t, std::string> names_;
};

}  // namespace vitals::collectors
