#include "collectors/process/user_names.h"

#include <pwd.h>

#include <array>
#include <charconv>

namespace vitals::collectors {

const std::string& UserNames::Name(std::uint32_t uid) {
  auto it = names_.find(uid);
  if (it != names_.end()) {
    return it->second;
  }
  std::array<char, 4096> buf{};
  passwd pw{};
  passwd* result = nullptr;
  std::string name = std::to_string(uid);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr) {
    name = result->pw_name;
  }
  return names_.emplace(uid, std::move(name)).first->second;
}

std::optional<std::uint32_t> UserNames::Resolve(const std::string& user) {
  std::uint32_t uid = 0;
  auto [ptr, ec] = std::from_chars(user.data(), user.data() + user.size(), uid);
  if (ec == std::errc() && ptr == user.data() + user.size()) {
    return uid;
  }
  std::array<char, 4096> buf{};
  passwd pw{};
  passwd* result = nullptr;
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr) {
    return result->pw_uid;
  }
  return std::nullopt;
}

}  // namespace vitals::collectors
