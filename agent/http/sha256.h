#pragma once
// SHA-256 (FIPS 180-4) of a byte string. Basic auth keys its cache of
// accepted credentials with it (basic_auth.h); our own spares the agent
// libcrypto (1.4 MB of RSS, loaded only for TLS: collectors/probes/openssl.h)
// for that one digest. Checked against the FIPS 180-2 examples and Python's
// hashlib in tests/unit/http/sha256_test.cpp.

#include <array>
#include <cstdint>
#include <string_view>

namespace vitals::http {

std::array<std::uint8_t, 32> Sha256(std::string_view data);

}  // namespace vitals::http
