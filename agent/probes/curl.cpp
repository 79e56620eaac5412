#include "agent/probes/curl.h"

#include <algorithm>
#include <mutex>

#include "agent/probes/net.h"

namespace vitals::probes {

VITALS_DYNLIB_API_ACCESSOR(CurlApi, Curl, "libcurl.so.4", VITALS_CURL_FUNCTIONS)

void InitCurl() {
  Need(Curl);
  static std::once_flag once;
  static CURLcode status = CURLE_OK;
  std::call_once(once, [] { status = Curl().curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (status != CURLE_OK) {
    throw ProbeFailure(std::string("libcurl could not start: ") + Curl().curl_easy_strerror(status));
  }
}

bool AppendLine(CurlList& list, const std::string& line) {
  curl_slist* longer = Curl().curl_slist_append(list.get(), line.c_str());
  if (longer == nullptr) {
    return false;
  }
  (void)list.release();  // curl_slist_append returned the same list, or a new one with it
  list.reset(longer);
  return true;
}

void SetTlsOptions(CURL* h, const config::TlsClientConfig& tls) {
  if (!tls.ca_file.empty()) {
    Curl().curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
  }
  if (!tls.cert_file.empty()) {
    Curl().curl_easy_setopt(h, CURLOPT_SSLCERT, tls.cert_file.c_str());
    Curl().curl_easy_setopt(h, CURLOPT_SSLKEY, tls.key_file.c_str());
  }
  if (tls.insecure_skip_verify) {
    Curl().curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    Curl().curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

CurlHandle NewHttpTransfer(const HttpRequestBasics& basics, char* error) {
  InitCurl();
  CurlHandle handle(Curl().curl_easy_init());
  if (!handle) {
    throw ProbeFailure("libcurl could not allocate a handle");
  }
  CURL* h = handle.get();
  const auto set = Curl().curl_easy_setopt;
  error[0] = '\0';
  set(h, CURLOPT_URL, basics.url.c_str());
  set(h, CURLOPT_ERRORBUFFER, error);
  set(h, CURLOPT_NOSIGNAL, 1L);
  set(h, CURLOPT_TIMEOUT_MS, std::max<long>(static_cast<long>(basics.timeout.count()), 1));
  set(h, CURLOPT_PROTOCOLS_STR, "http,https");
  set(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(h, CURLOPT_USERAGENT, basics.user_agent.c_str());
  if (!basics.username.empty()) {
    set(h, CURLOPT_USERNAME, basics.username.c_str());
    set(h, CURLOPT_PASSWORD, basics.password.c_str());
  }
  SetTlsOptions(h, basics.tls);
  return handle;
}

std::string CurlErrorText(CURLcode rc, const char* error) {
  return error[0] != '\0' ? error : Curl().curl_easy_strerror(rc);
}

}  // namespace vitals::probes
