#pragma once
// Loads a client library (the probes' libcurl, libpq, c-ares, and OpenSSL,
// which the HTTPS server shares: openssl.h) the first time something needs
// it, instead of linking it into the agent. Linked, they and what they pull in
// (GnuTLS, Kerberos, LDAP, SASL, nghttp2, ...) cost ~4 MB of RSS in every
// agent, most of which configures no probe at all (README, Performance). The
// agent is compiled against the Debian -dev headers and opens the runtime
// package's soname (libcurl4, libpq5, libc-ares2, libssl3, which the .deb
// depends on).
//
// Thread contract: LoadLibrary() and ResolveSymbol() may be called
// from any thread; the callers keep the resolved table in a function-local
// static, which C++ initializes once (and again after a failed attempt).

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace vitals::platform {

// A library that cannot be loaded or lacks a symbol, in one line for a
// person: "cannot load libpq.so.5: libpq.so.5: cannot open shared object file".
class LibraryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// dlopen(soname) once per process; throws LibraryError naming the library
// and dlerror() when it cannot be loaded.
void* LoadLibrary(const char* soname);

template <class F>
F ResolveSymbol(void* handle, const char* soname, const char* symbol) {
  void* p = ::dlsym(handle, symbol);
  if (p == nullptr) {
    throw LibraryError(std::string(soname) + " has no symbol " + symbol);
  }
  return reinterpret_cast<F>(p);
}

}  // namespace vitals::platform

// Declares a member per function of LIST (an X-macro) with the header's own
// type, and a loader that fills them from SONAME. VITALS_DYNLIB_API does both
// in one .cpp; a table shared by several files (openssl.h) declares the
// struct in its header and defines the accessor in its .cpp.
#define VITALS_DYNLIB_API_MEMBER(name) decltype(&::name) name = nullptr;
#define VITALS_DYNLIB_API_LOAD(name)                                                   \
  api.name = ::vitals::platform::ResolveSymbol<decltype(&::name)>(handle, soname, \
                                                                      #name);
#define VITALS_DYNLIB_API_STRUCT(Type, LIST) \
  struct Type {                             \
    LIST(VITALS_DYNLIB_API_MEMBER)           \
  };
#define VITALS_DYNLIB_API_ACCESSOR(Type, accessor, SONAME, LIST)         \
  const Type& accessor() {                                              \
    static const Type loaded = [] {                                     \
      const char* soname = SONAME;                                      \
      void* handle = ::vitals::platform::LoadLibrary(soname);        \
      Type api;                                                         \
      LIST(VITALS_DYNLIB_API_LOAD)                                       \
      return api;                                                       \
    }();                                                                \
    return loaded;                                                      \
  }
#define VITALS_DYNLIB_API(Type, accessor, SONAME, LIST) \
  VITALS_DYNLIB_API_STRUCT(Type, LIST)                  \
  VITALS_DYNLIB_API_ACCESSOR(Type, accessor, SONAME, LIST)
