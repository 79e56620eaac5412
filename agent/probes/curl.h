#pragma once
// libcurl (libcurl.so.4, the OpenSSL flavour), loaded the first time an http
// or grpc probe or `vitals status` makes a request (agent/platform/dynlib.h),
// and what they need of it: the table, a started library, owned handles and
// lists, the `tls` keys' options, and a transfer's basics (URL, timeout,
// http and https only, TLS, basic auth). Every transfer starts from
// NewHttpTransfer, so these are set one way; a user adds only its own options.
//
// Thread contract: as dynlib.h; a handle belongs to one thread at a time.

// The typecheck macros of curl.h would wrap our calls through the table.
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>

#include "agent/platform/dynlib.h"
#include "config/probes.h"

#define VITALS_CURL_FUNCTIONS(X) \
  X(curl_easy_cleanup)           \
  X(curl_easy_getinfo)           \
  X(curl_easy_init)              \
  X(curl_easy_perform)           \
  X(curl_easy_setopt)            \
  X(curl_easy_strerror)          \
  X(curl_free)                   \
  X(curl_global_init)            \
  X(curl_slist_append)           \
  X(curl_slist_free_all)         \
  X(curl_url)                    \
  X(curl_url_cleanup)            \
  X(curl_url_get)                \
  X(curl_url_set)

namespace vitals::probes {

VITALS_DYNLIB_API_STRUCT(CurlApi, VITALS_CURL_FUNCTIONS)

// Loads libcurl.so.4 on first use; throws platform::LibraryError when it cannot.
const CurlApi& Curl();

// Loads and starts libcurl once (curl_global_init); throws ProbeFailure
// when it cannot.
void InitCurl();

struct CurlDeleter {
  void operator()(CURL* h) const { Curl().curl_easy_cleanup(h); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
struct ListDeleter {
  void operator()(curl_slist* l) const { Curl().curl_slist_free_all(l); }
};
using CurlList = std::unique_ptr<curl_slist, ListDeleter>;

// Appends a copy of `line` to `list`; false when libcurl is out of memory
// (`list` is then unchanged).
[[nodiscard]] bool AppendLine(CurlList& list, const std::string& line);

// The User-Agent of the probes' requests.
inline constexpr const char* kProbeUserAgent = "vitals-probe";

// The `tls` keys' options: CA file, client certificate, no verification.
void SetTlsOptions(CURL* h, const config::TlsClientConfig& tls);

struct HttpRequestBasics {
  std::string url;
  std::chrono::milliseconds timeout{0};  // the whole transfer; at least 1 ms is used
  std::string user_agent;
  config::TlsClientConfig tls;  // ca_file, cert_file + key_file, insecure_skip_verify
  std::string username;         // basic auth when not empty
  std::string password;
};

// A handle with `basics` set, and no signals (libcurl's timeouts would
// otherwise use SIGALRM, which is not thread-safe), ready for the caller's
// own options and curl_easy_perform. `error` (CURL_ERROR_SIZE bytes, outliving the transfer)
// receives libcurl's message. Throws ProbeFailure when libcurl cannot be
// loaded, started or allocate a handle.
CurlHandle NewHttpTransfer(const HttpRequestBasics& basics, char* error);

// libcurl's own message for a failed transfer: the error buffer, else the code's text.
std::string CurlErrorText(CURLcode rc, const char* error);

}  // namespace vitals::probes
