#pragma once
// Network plumbing the probes share: a cancellable resolver (c-ares), a
// non-blocking connect, and a plain or TLS stream (OpenSSL, loaded by the
// first StartTls: openssl.h) whose every call gives up at a Deadline.
// Nothing here blocks or loops past the deadline: sockets are non-blocking,
// waits are poll(2) in slices of at most 100 ms so that a shutdown (the stop
// token) is noticed too, and every read and write looks at the deadline,
// also while a peer keeps sending.
//
// Thread contract: objects are used by one probe run at a time.

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "agent/health/clock.h"
#include "agent/platform/dynlib.h"
#include "agent/platform/fd.h"
#include "config/probes.h"

namespace vitals::probes {

// A probe's failure with a description for a person at 3 a.m. Probes throw it
// inside Run and turn it into their failure result; it never carries a secret.
class ProbeFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A library's table (agent/platform/dynlib.h), loaded now if need be: one
// that cannot be loaded fails the probe with the reason ("cannot load
// libpq.so.5: ..."), which the callers prefix with what they were doing.
template <class Api>
const Api& Need(const Api& (*table)()) {
  try {
    return table();
  } catch (const platform::LibraryError& e) {
    throw ProbeFailure(e.what());
  }
}

struct Deadline {
  health::SteadyTime at;
  std::stop_token stop;
  health::SteadyTime started = std::chrono::steady_clock::now();
  health::Duration timeout{};  // the check's timeout, for messages (0: at - started)

  std::chrono::milliseconds Remaining() const;  // zero when passed
  // Throws ProbeFailure ("<what>: no answer within the 2s timeout" or
  // "...: cancelled, the agent is shutting down") when the deadline passed or
  // a stop was requested.
  void Check(std::string_view what) const;
  std::string Elapsed() const;  // "1.502s" since `started`
  std::string TimeoutText() const;  // "2s"
  std::string TimedOut() const;     // "no answer within the 2s timeout"
};

// "1.502s"
std::string FormatSeconds(std::chrono::duration<double> d);
// "500ms", "2s", "1.5s": a configured duration as a person wrote it.
std::string ShortDuration(health::Duration d);

using platform::Fd;

// Waits until `fd` is ready for `events` (POLLIN/POLLOUT); throws ProbeFailure
// naming `what` on the deadline or a stop. Returns the revents seen.
short WaitFor(int fd, short events, const Deadline& deadline, std::string_view what);

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string ToString() const;  // "127.0.0.1" or "::1"
  int family() const { return storage.ss_family; }
};

struct ResolveOptions {
  int family = AF_UNSPEC;                // AF_INET for A, AF_INET6 for AAAA
  std::optional<config::HostPort> server;  // a DNS server instead of resolv.conf
  bool dns_only = false;                 // skip /etc/hosts (the dns probe)
};

// Resolves `host` (a literal address needs no lookup) with c-ares, giving up
// at the deadline (the lookup is cancelled, nothing is left running).
// Throws ProbeFailure on failure or an empty answer; a failure after a
// truncated UDP answer says so, and why the retry over TCP failed.
// `retried_over_tcp`, when given, tells whether that retry happened.
std::vector<Address> Resolve(const std::string& host, std::uint16_t port,
                             const ResolveOptions& options, const Deadline& deadline,
                             bool* retried_over_tcp = nullptr);

// Resolves and connects to the first address that accepts. The socket is
// non-blocking and close-on-exec. Throws ProbeFailure ("connect to
// 127.0.0.1:5432: Connection refused").
Fd Connect(const config::HostPort& to, const Deadline& deadline, Address* connected = nullptr);

// A connected stream, plain or TLS, with deadline-bound reads and writes.
class Stream {
 public:
  explicit Stream(Fd fd) : fd_(std::move(fd)) {}
  Stream(Stream&& other) noexcept;
  Stream& operator=(Stream&& other) noexcept;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream();

  // TLS handshake as a client. SNI and the verified name are
  // tls.server_name or `host`. When `verify` is true a certificate that does
  // not verify (unless tls.insecure_skip_verify) throws ProbeFailure; when
  // false the verdict is left to the caller (verify_result()).
  void StartTls(const config::TlsClientConfig& tls, const std::string& host, bool verify,
                const Deadline& deadline);

  void WriteAll(std::string_view data, const Deadline& deadline);
  // Reads what is there (at least one byte) or 0 at end of stream.
  std::size_t ReadSome(char* buffer, std::size_t size, const Deadline& deadline);

  SSL* ssl() const { return ssl_; }
  long verify_result() const;  // X509_V_OK or why the chain did not verify
  int fd() const { return fd_.get(); }

 private:
  Fd fd_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

// The last OpenSSL error as text (and clears the queue).
std::string OpenSslError();

// Earliest notAfter of the peer's chain, seconds since the epoch, and the
// subject of that certificate; nullopt without a peer certificate.
struct ChainExpiry {
  double earliest_not_after = 0;
  std::string subject;  // of the certificate that expires first
  std::size_t certificates = 0;
};
std::optional<ChainExpiry> PeerChainExpiry(SSL* ssl);

}  // namespace vitals::probes
