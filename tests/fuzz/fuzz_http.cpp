// libFuzzer target: the HTTP header helpers that read what any client sends,
// before authentication: Accept-Encoding (http::AcceptsGzip, on every
// /metrics request) and Authorization (http::ParseBasicAuthorization). Each
// input is given to both. (The /health ?tag= query is split inline in the
// health service, not in a helper of its own; e2e.concurrency drives it.)

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/http/basic_auth.h"
#include "agent/http/server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  (void)vitals::http::AcceptsGzip(header);
  if (auto credentials = vitals::http::ParseBasicAuthorization(header)) {
    // base64 decodes to at most 3/4 of the input: user and password fit in it.
    if (credentials->user.size() + credentials->password.size() > size) {
      std::abort();
    }
  }
  return 0;
}
