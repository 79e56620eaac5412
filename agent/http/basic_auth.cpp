#include "agent/http/basic_auth.h"

#include <crypt.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "agent/platform/openssl.h"

namespace vitals::http {

namespace {

constexpr std::string_view kBcryptAlphabet =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::size_t kMaxAcceptedCache = 256;

int BcryptCost(std::string_view hash) { return (hash[4] - '0') * 10 + (hash[5] - '0'); }

// One bcrypt; empty on failure. crypt_data is 32 KiB, too big for a worker's stack.
std::string Crypt(const std::string& password, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_rn(password.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  return out != nullptr && out[0] != '*' ? std::string(out) : std::string();
}

// The accepted cache's key: a SHA-256 digest, so the cache holds no
// password. Only called once OpenSSL is loaded (BasicAuth's constructor).
std::string CacheKey(std::string_view user, std::string_view password, std::string_view hash) {
  std::string input;
  input.reserve(user.size() + password.size() + hash.size() + 2);
  input.append(user).append(1, '\0').append(password).append(1, '\0').append(hash);
  const auto& ssl = platform::OpenSsl();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (ssl.EVP_Digest(input.data(), input.size(), digest, &length, ssl.EVP_sha256(), nullptr) !=
      1) {
    return {};  // not cached
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// Fills `out` from the kernel's CSPRNG (getrandom(2) blocks only until it is
// seeded, at boot). False if it cannot.
bool RandomBytes(unsigned char* out, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::getrandom(out, size, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    out += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

bool IsBcryptHash(std::string_view hash, std::string* why) {
  if (hash.size() != 60) {
    *why = "got " + std::to_string(hash.size()) + " characters instead of 60";
    return false;
  }
  if (hash.substr(0, 3) != "$2a" && hash.substr(0, 3) != "$2b" && hash.substr(0, 3) != "$2y") {
    *why = "it does not start with $2a$, $2b$ or $2y$";
    return false;
  }
  if (hash[3] != '$' || hash[6] != '$' || hash[4] < '0' || hash[4] > '9' || hash[5] < '0' ||
      hash[5] > '9') {
    *why = "expected a two-digit cost between '$' signs after the prefix";
    return false;
  }
  int cost = BcryptCost(hash);
  if (cost < 4 || cost > 31) {
    *why = "the cost " + std::to_string(cost) + " is outside 04..31";
    return false;
  }
  if (hash.substr(7).find_first_not_of(kBcryptAlphabet) != std::string_view::npos) {
    *why = "the salt and hash contain a character outside bcrypt's base64";
    return false;
  }
  return true;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    unsigned bits = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++pad;
        bits <<= 6;
        continue;
      }
      int v = value(c);
      if (v < 0 || pad > 0) {
        return std::nullopt;  // bad character, or data after padding
      }
      bits = (bits << 6) | static_cast<unsigned>(v);
    }
    out += static_cast<char>((bits >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((bits >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(bits & 0xff);
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(diff | (a[i] ^ b[i]));
  }
  // volatile keeps the compiler from turning the loop into an early exit.
  volatile unsigned char result = diff;
  return result == 0;
}

std::optional<Credentials> ParseBasicAuthorization(std::string_view header) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  if (header.size() < 6) {
    return std::nullopt;
  }
  std::string scheme(header.substr(0, 6));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "basic ") {
    return std::nullopt;
  }
  std::string_view token = header.substr(6);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  auto decoded = DecodeBase64(token);
  if (!decoded) {
    return std::nullopt;
  }
  std::size_t colon = decoded->find(':');
  if (colon == std::string::npos || decoded->find('\0') != std::string::npos) {
    return std::nullopt;  // NUL would truncate the password handed to crypt(3)
  }
  return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

BasicAuth::BasicAuth(Users users) : users_(std::move(users)) {
  if (users_.empty()) {
    return;
  }
  // Without OpenSSL every request pays its bcrypt: slower, never wrong.
  cache_ = platform::LoadOpenSsl().empty();
  int cost = 4;
  for (const auto& [user, hash] : users_) {
    cost = std::max(cost, BcryptCost(hash));
  }
  unsigned char random[32];
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (RandomBytes(random, sizeof random) &&
      crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), reinterpret_cast<char*>(random),
                       16, setting, sizeof setting) != nullptr) {
    std::string password(reinterpret_cast<const char*>(random + 16), 16);
    std::replace(password.begin(), password.end(), '\0', '\x01');
    dummy_hash_ = Crypt(password, setting);
  }
  if (dummy_hash_.empty()) {
    // Still a valid bcrypt at the right cost: the point is the time it takes.
    dummy_hash_ = users_.begin()->second;
  }
}

bool BasicAuth::Verify(const Credentials& credentials, const std::string& hash) const {
  std::string key = cache_ ? CacheKey(credentials.user, credentials.password, hash) : "";
  if (!key.empty()) {
    std::lock_guard lock(mutex_);
    if (accepted_.count(key) != 0) {
      return true;
    }
  }
  std::string computed = Crypt(credentials.password, hash);
  if (computed.empty() || !ConstantTimeEquals(computed, hash)) {
    return false;
  }
  if (key.empty()) {
    return true;
  }
  std::lock_guard lock(mutex_);
  if (accepted_.size() >= kMaxAcceptedCache) {
    accepted_.clear();
  }
  accepted_.insert(std::move(key));
  return true;
}

std::optional<bool> BasicAuth::CheckCached(std::string_view authorization) const {
  auto credentials = users_.empty() ? std::nullopt : ParseBasicAuthorization(authorization);
  if (!credentials) {
    return false;
  }
  auto it = users_.find(credentials->user);
  if (cache_ && it != users_.end()) {
    std::string key = CacheKey(credentials->user, credentials->password, it->second);
    std::lock_guard lock(mutex_);
    if (!key.empty() && accepted_.count(key) != 0) {
      return true;
    }
  }
  return std::nullopt;  // an unknown user too: its refusal must cost a bcrypt
}

bool BasicAuth::Check(std::string_view authorization) const {
  if (users_.empty()) {
    return false;
  }
  auto credentials = ParseBasicAuthorization(authorization);
  if (!credentials) {
    return false;
  }
  auto it = users_.find(credentials->user);
  if (it == users_.end()) {
    // Same work as for a known user, result ignored: timing must not reveal
    // which user names exist.
    (void)Verify(*credentials, dummy_hash_);
    return false;
  }
  return Verify(*credentials, it->second);
}

}  // namespace vitals::http
