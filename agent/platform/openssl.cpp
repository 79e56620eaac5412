#include "agent/platform/openssl.h"

namespace vitals::platform {

VITALS_DYNLIB_API_ACCESSOR(OpenSslApi, OpenSsl, "libssl.so.3", VITALS_OPENSSL_FUNCTIONS)

std::string LoadOpenSsl() {
  try {
    OpenSsl();
    return {};
  } catch (const LibraryError& e) {
    return e.what();
  }
}

}  // namespace vitals::platform
