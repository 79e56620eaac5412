#pragma once
// TLS for the web server, so that it can change without a restart:
//  - The context holds one SSL_CTX; NewSession() starts the server side of a
//    connection on it (the connection loop drives the handshake without
//    blocking), and every handshake asks this object for the current
//    certificate, key, chain, client CA and minimum version.
//  - Each handshake stat()s the certificate and key files; when either
//    changed, both are read again. A file that does not load (garbage, a key
//    that does not match, half-written) keeps the previous pair serving; the
//    error is logged and counted, and retried when the files change again.
//  - Update() swaps in a new TlsServerConfig (web config reload) the same way.
// Sessions are neither cached nor resumed: a changed client CA must apply to
// the next connection, and a scrape every few seconds can afford a handshake.
// Thread contract: the callbacks run on the connection loop's thread,
// Update() on a reload's; the current material is an immutable snapshot
// swapped under mutex_.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <variant>

#include "agent/http/web_config.h"

struct ssl_st;      // OpenSSL's SSL and SSL_CTX, kept out of this header
struct ssl_ctx_st;

namespace vitals::http {

struct TlsStats {
  std::atomic<std::uint64_t> reloads{0};        // successful re-reads after a change
  std::atomic<std::uint64_t> reload_errors{0};  // changes that did not load
  std::atomic<std::int64_t> not_after{0};       // serving certificate's expiry, Unix seconds
};

class TlsContext {
 public:
  // Loads OpenSSL (agent/platform/openssl.h: on first use, not linked),
  // then the certificate, key and client CA; the error names the library or
  // the file.
  // `stats` must outlive the context; null: counted privately.
  static std::variant<std::unique_ptr<TlsContext>, std::string> Create(
      const TlsServerConfig& config, TlsStats* stats = nullptr);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // The server side of a TLS connection on socket `fd`, its handshake not
  // started; null when OpenSSL cannot make one. The caller SSL_free()s it.
  ::ssl_st* NewSession(int fd);
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

  ::ssl_ctx_st* ctx_ = nullptr;  // fixed at Create
  mutable std::mutex mutex_;  // guards current_ and the failed_ stamps
  std::shared_ptr<const Material> current_;
  struct stat failed_cert_{}, failed_key_{};  // stamps of the last pair that did not load
  TlsStats own_stats_;
  TlsStats* stats_ = &own_stats_;
};

}  // namespace vitals::http
