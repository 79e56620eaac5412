#include "agent/platform/dynlib.h"

namespace vitals::platform {

void* LoadLibrary(const char* soname) {
  // RTLD_LOCAL: the library's symbols serve only our lookups; a handle is
  // never closed (it is loaded once per process and kept).
  void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    throw LibraryError(std::string("cannot load ") + soname + ": " +
                       (why != nullptr ? why : "unknown error"));
  }
  return handle;
}

}  // namespace vitals::platform
