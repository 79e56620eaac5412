#pragma once
// Loads a probe's client library (libcurl, libpq, c-ares, and OpenSSL, which
// the HTTPS server shares: openssl.h) the first time something needs it,
// instead of linking it into the agent. Linked, they and what they pull in
// (GnuTLS, Kerberos, LDAP, SASL, nghttp2, ...) cost ~4 MB of RSS in every
// agent, most of which configures no probe at all (README, Performance). The
// agent is compiled against the Debian -dev headers and opens the runtime
// package's soname (libcurl4, libpq5, libc-ares2, libssl3, which the .deb
// depends on).
//
// Thread contract: LoadProbeLibrary() and ResolveProbeSymbol() may be called
// from any thread; the callers keep the resolved table in a function-local
// static, which C++ initializes once (and again after a failed attempt).

#include <dlfcn.h>

#include <string>

#include "agent/probes/net.h"  // ProbeFailure

namespace vitals::probes {

// dlopen(soname) once per process; throws ProbeFailure naming the library
// and dlerror() when it cannot be loaded.
void* LoadProbeLibrary(const char* soname);

template <class F>
F ResolveProbeSymbol(void* handle, const char* soname, const char* symbol) {
  void* p = ::dlsym(handle, symbol);
  if (p == nullptr) {
    throw ProbeFailure(std::string(soname) + " has no symbol " + symbol);
  }
  return reinterpret_cast<F>(p);
}

}  // namespace vitals::probes

// Declares a member per function of LIST (an X-macro) with the header's own
// type, and a loader that fills them from SONAME. VITALS_PROBE_API does both
// in one .cpp; a table shared by several files (openssl.h) declares the
// struct in its header and defines the accessor in its .cpp.
#define VITALS_PROBE_API_MEMBER(name) decltype(&::name) name = nullptr;
#define VITALS_PROBE_API_LOAD(name)                                                   \
  api.name = ::vitals::probes::ResolveProbeSymbol<decltype(&::name)>(handle, soname, \
                                                                      #name);
#define VITALS_PROBE_API_STRUCT(Type, LIST) \
  struct Type {                             \
    LIST(VITALS_PROBE_API_MEMBER)           \
  };
#define VITALS_PROBE_API_ACCESSOR(Type, accessor, SONAME, LIST)         \
  const Type& accessor() {                                              \
    static const Type loaded = [] {                                     \
      const char* soname = SONAME;                                      \
      void* handle = ::vitals::probes::LoadProbeLibrary(soname);        \
      Type api;                                                         \
      LIST(VITALS_PROBE_API_LOAD)                                       \
      return api;                                                       \
    }();                                                                \
    return loaded;                                                      \
  }
#define VITALS_PROBE_API(Type, accessor, SONAME, LIST) \
  VITALS_PROBE_API_STRUCT(Type, LIST)                  \
  VITALS_PROBE_API_ACCESSOR(Type, accessor, SONAME, LIST)
