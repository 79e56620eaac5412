#include "agent/probes/openssl.h"

namespace vitals::probes {

VITALS_PROBE_API_ACCESSOR(OpenSslApi, OpenSsl, "libssl.so.3", VITALS_OPENSSL_FUNCTIONS)

std::string LoadOpenSsl() {
  try {
    OpenSsl();
    return {};
  } catch (const ProbeFailure& e) {
    return e.what();
  }
}

}  // namespace vitals::probes
