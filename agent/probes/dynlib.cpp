#include "agent/probes/dynlib.h"

namespace vitals::probes {

void* LoadProbeLibrary(const char* soname) {
  // RTLD_LOCAL: the library's symbols serve only our lookups; a handle is
  // never closed (it is loaded once per process and kept).
  void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    throw ProbeFailure(std::string("cannot load ") + soname + ": " +
                       (why != nullptr ? why : "unknown error"));
  }
  return handle;
}

}  // namespace vitals::probes
