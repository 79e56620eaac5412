#pragma once
// HTTP basic auth against bcrypt hashes (libcrypt's crypt_rn, as htpasswd -B
// writes them). Unknown users are hashed against a dummy hash of the same
// cost, so the time of a refusal does not tell whether the user exists; the
// final comparison is constant-time. Accepted credentials are remembered (as
// a SHA-256 of user, password and hash, by OpenSSL, which basic auth loads;
// without it nothing is remembered) so a scraper does not pay a bcrypt per
// request; refusals are never cached.
// Thread contract: Check() may be called concurrently; the object is
// immutable apart from the cache, which its own mutex guards.

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace vitals::http {

// True for "$2a$", "$2b$" or "$2y$", a cost from 04 to 31 and 53 characters of
// bcrypt's base64. Otherwise false with `why` saying what is wrong.
bool IsBcryptHash(std::string_view hash, std::string* why);

// Strict RFC 4648 base64 (padding required, no whitespace); nullopt if malformed.
std::optional<std::string> DecodeBase64(std::string_view text);

// Compares in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

struct Credentials {
  std::string user;
  std::string password;
};
// Parses an Authorization header value "Basic <base64(user:password)>" (scheme
// case-insensitive). nullopt when absent, another scheme, or malformed.
std::optional<Credentials> ParseBasicAuthorization(std::string_view header);

class BasicAuth {
 public:
  using Users = std::map<std::string, std::string, std::less<>>;  // user -> bcrypt hash
  // `users` must hold valid hashes (IsBcryptHash); the web config checks that.
  explicit BasicAuth(Users users);

  bool empty() const { return users_.empty(); }
  // True when `authorization` names a configured user with its password.
  // Costs a bcrypt unless the credentials were accepted before.
  bool Check(std::string_view authorization) const;
  // Check() without the bcrypt: true for credentials accepted before, false
  // for ones that cannot pass (absent, malformed), nullopt when only a bcrypt
  // can tell (the server runs those on threads of their own).
  std::optional<bool> CheckCached(std::string_view authorization) const;
  const std::string& dummy_hash_for_test() const { return dummy_hash_; }

 private:
  bool Verify(const Credentials& credentials, const std::string& hash) const;

  Users users_;
  std::string dummy_hash_;  // bcrypt of a random password at the users' highest cost
  bool cache_ = false;      // OpenSSL loaded: accepted credentials are cached by digest
  mutable std::mutex mutex_;
  mutable std::set<std::string> accepted_;  // guarded by mutex_; SHA-256 digests
};

}  // namespace vitals::http
