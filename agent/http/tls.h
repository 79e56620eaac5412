#pragma once
// TLS for the CivetWeb server, configured by us rather than by CivetWeb's
// options so that it can change without a restart:
//  - CivetWeb creates the SSL_CTX and hands it to ConfigureContext() (its
//    init_ssl callback); from then on every handshake asks this object for
//    the current certificate, key, chain, client CA and minimum version.
//  - Each handshake stat()s the certificate and key files; when either
//    changed, both are read again. A file that does not load (garbage, a key
//    that does not match, half-written) keeps the previous pair serving; the
//    error is logged and counted, and retried when the files change again.
//  - Update() swaps in a new TlsServerConfig (web config reload) the same way.
// Sessions are neither cached nor resumed: a changed client CA must apply to
// the next connection, and a scrape every few seconds can afford a handshake.
// Thread contract: the callbacks run concurrently on CivetWeb's workers; the
// current material is an immutable snapshot swapped under mutex_.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <variant>

#include "agent/http/web_config.h"

struct ssl_st;  // OpenSSL's SSL, kept out of this header

namespace vitals::http {

struct TlsStats {
  std::atomic<std::uint64_t> reloads{0};        // successful re-reads after a change
  std::atomic<std::uint64_t> reload_errors{0};  // changes that did not load
  std::atomic<std::int64_t> not_after{0};       // serving certificate's expiry, Unix seconds
};

// Debian's libcivetweb1 1.15 dlopen()s "libssl.so" and "libcrypto.so" and
// looks up SSL_get_peer_certificate, which OpenSSL 3 only has as a macro: the
// first TLS connection calls through a null pointer. We load two tiny shims
// (civetweb_openssl3/) whose sonames are "libssl.so" and "libcrypto.so"; the
// dynamic loader then hands them to CivetWeb's dlopen() by soname, and the
// ssl one exports SSL_get_peer_certificate forwarding to
// SSL_get1_peer_certificate. Looked up in <dir of the executable>/../lib/vitals.
// Returns an empty string on success, else why. Idempotent.
std::string LoadCivetwebOpenSsl3Shims();

class TlsContext {
 public:
  // Loads OpenSSL (collectors/probes/openssl.h: on first use, not linked),
  // then the certificate, key and client CA; the error names the library or
  // the file.
  // `stats` must outlive the context; null: counted privately.
  static std::variant<std::unique_ptr<TlsContext>, std::string> Create(
      const TlsServerConfig& config, TlsStats* stats = nullptr);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // For CivetWeb's init_ssl callback: installs the per-handshake callbacks on
  // the SSL_CTX. Returns 1 (configured) or -1 (failed).
  int ConfigureContext(void* ssl_ctx);
  // Applies a new configuration; on failure keeps the old one and says why.
  std::string Update(const TlsServerConfig& config);
  const TlsStats& stats() const { return *stats_; }
  TlsServerConfig config() const;

  struct Material;  // certificate, key, chain, CA store and the files' stamps

 private:
  TlsContext() = default;
  std::shared_ptr<const Material> Current();  // re-reads changed files first
  static int OnClientHello(::ssl_st* ssl, int* alert, void* self);
  static int OnCertificate(::ssl_st* ssl, void* self);

  mutable std::mutex mutex_;  // guards current_ and the failed_ stamps
  std::shared_ptr<const Material> current_;
  struct stat failed_cert_{}, failed_key_{};  // stamps of the last pair that did not load
  TlsStats own_stats_;
  TlsStats* stats_ = &own_stats_;
};

}  // namespace vitals::http
