#include "agent/probes/net.h"

#include "agent/platform/openssl.h"

#include <arpa/inet.h>
#include <ares.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <utility>

namespace vitals::probes {

using platform::OpenSsl;
using platform::SetMinProtoVersion;
using platform::SetTlsExtHostName;
using platform::StackSize;
using platform::X509At;


namespace {

// libcares.so.2 is loaded when the first probe needs it (dynlib.h).
#define VITALS_ARES_FUNCTIONS(X) \
  X(ares_destroy) \
  X(ares_freeaddrinfo) \
  X(ares_getaddrinfo) \
  X(ares_getsock) \
  X(ares_init_options) \
  X(ares_library_init) \
  X(ares_process_fd) \
  X(ares_set_servers_ports_csv) \
  X(ares_set_socket_callback) \
  X(ares_strerror) \
  X(ares_timeout)
VITALS_DYNLIB_API(AresApi, Ares, "libcares.so.2", VITALS_ARES_FUNCTIONS)
#undef VITALS_ARES_FUNCTIONS

constexpr std::chrono::milliseconds kSlice{100};  // longest single wait: stop is seen this fast

std::string Errno(int err) { return std::strerror(err); }

bool IsLiteral(const std::string& host, int family, Address* out, std::uint16_t port) {
  if (family != AF_INET6) {
    sockaddr_in in{};
    if (inet_pton(AF_INET, host.c_str(), &in.sin_addr) == 1) {
      in.sin_family = AF_INET;
      in.sin_port = htons(port);
      std::memcpy(&out->storage, &in, sizeof in);
      out->length = sizeof in;
      return true;
    }
  }
  if (family != AF_INET) {
    sockaddr_in6 in6{};
    if (inet_pton(AF_INET6, host.c_str(), &in6.sin6_addr) == 1) {
      in6.sin6_family = AF_INET6;
      in6.sin6_port = htons(port);
      std::memcpy(&out->storage, &in6, sizeof in6);
      out->length = sizeof in6;
      return true;
    }
  }
  return false;
}

// One c-ares lookup in flight; filled by the callbacks.
struct Lookup {
  bool done = false;
  int status = ARES_SUCCESS;
  std::vector<Address> addresses;
  bool tcp = false;  // c-ares opened a TCP socket: a UDP answer came truncated (TC bit)
};

int OnSocket(ares_socket_t /*fd*/, int type, void* arg) {
  if (type == SOCK_STREAM) {
    static_cast<Lookup*>(arg)->tcp = true;  // TCP is used for nothing else (no USEVC flag)
  }
  return 0;
}

void OnAddrInfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto* lookup = static_cast<Lookup*>(arg);
  lookup->done = true;
  lookup->status = status;
  if (result == nullptr) {
    return;
  }
  for (ares_addrinfo_node* node = result->nodes; node != nullptr; node = node->ai_next) {
    Address a;
    if (node->ai_addrlen > sizeof a.storage) {
      continue;
    }
    std::memcpy(&a.storage, node->ai_addr, node->ai_addrlen);
    a.length = static_cast<socklen_t>(node->ai_addrlen);
    lookup->addresses.push_back(a);
  }
  Ares().ares_freeaddrinfo(result);
}

// Destroys the channel on every path (which completes the lookup with
// ARES_EDESTRUCTION, so the Lookup must outlive it).
struct Channel {
  ares_channel channel = nullptr;
  ~Channel() {
    if (channel != nullptr) {
      Ares().ares_destroy(channel);
    }
  }
};

void InitAres() {
  Need(Ares);
  static std::once_flag once;
  static int status = ARES_SUCCESS;
  std::call_once(once, [] { status = Ares().ares_library_init(ARES_LIB_INIT_ALL); });
  if (status != ARES_SUCCESS) {
    throw ProbeFailure(std::string("c-ares could not start: ") + Ares().ares_strerror(status));
  }
}

}  // namespace

std::string FormatSeconds(std::chrono::duration<double> d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", d.count());
  return buf;
}

std::chrono::milliseconds Deadline::Remaining() const {
  const auto left = at - std::chrono::steady_clock::now();
  if (left <= health::Duration::zero()) {
    return std::chrono::milliseconds(0);
  }
  // Round up: a wait of the remaining time must reach the deadline.
  return std::chrono::ceil<std::chrono::milliseconds>(left);
}

std::string Deadline::Elapsed() const {
  return FormatSeconds(std::chrono::steady_clock::now() - started);
}

std::string ShortDuration(health::Duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms < 1000) {
    return std::to_string(ms) + "ms";
  }
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03lld", static_cast<long long>(ms % 1000));
    text += frac;
    while (text.back() == '0') {
      text.pop_back();
    }
  }
  return text + "s";
}

std::string Deadline::TimeoutText() const {
  return ShortDuration(timeout > health::Duration::zero() ? timeout : at - started);
}

std::string Deadline::TimedOut() const { return "no answer within the " + TimeoutText() + " timeout"; }

void Deadline::Check(std::string_view what) const {
  if (stop.stop_requested()) {
    throw ProbeFailure(std::string(what) + ": cancelled, the agent is shutting down");
  }
  if (std::chrono::steady_clock::now() >= at) {
    throw ProbeFailure(std::string(what) + ": " + TimedOut());
  }
}

short WaitFor(int fd, short events, const Deadline& deadline, std::string_view what) {
  for (;;) {
    deadline.Check(what);
    pollfd p{fd, events, 0};
    const auto wait = std::min(deadline.Remaining(), kSlice);
    int n = ::poll(&p, 1, static_cast<int>(wait.count()));
    if (n < 0 && errno != EINTR) {
      throw ProbeFailure(std::string(what) + ": poll: " + Errno(errno));
    }
    if (n > 0) {
      return p.revents;
    }
  }
}

std::string Address::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
  } else if (storage.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf,
              sizeof buf);
  }
  return buf;
}

std::vector<Address> Resolve(const std::string& host, std::uint16_t port,
                             const ResolveOptions& options, const Deadline& deadline,
                             bool* retried_over_tcp) {
  Address literal;
  if (!options.dns_only && IsLiteral(host, options.family, &literal, port)) {
    return {literal};
  }
  InitAres();
  const std::string what = "resolve " + host;
  ares_options opts{};
  int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  // Two tries inside the budget: one lost UDP packet does not fail the probe.
  opts.timeout = static_cast<int>(std::max<long long>(deadline.Remaining().count() / 2, 50));
  opts.tries = 2;
  std::string lookups = options.dns_only ? "b" : "fb";
  opts.lookups = lookups.data();
  mask |= ARES_OPT_LOOKUPS;
  Lookup lookup;
  Channel channel;
  int rc = Ares().ares_init_options(&channel.channel, &opts, mask);
  if (rc != ARES_SUCCESS) {
    throw ProbeFailure(what + ": c-ares: " + Ares().ares_strerror(rc));
  }
  if (options.server) {
    rc = Ares().ares_set_servers_ports_csv(channel.channel, options.server->ToString().c_str());
    if (rc != ARES_SUCCESS) {
      throw ProbeFailure(what + ": DNS server " + options.server->ToString() + ": " +
                         Ares().ares_strerror(rc));
    }
  }
  Ares().ares_set_socket_callback(channel.channel, OnSocket, &lookup);
  ares_addrinfo_hints hints{};
  hints.ai_family = options.family;
  hints.ai_socktype = SOCK_STREAM;
  const std::string service = std::to_string(port);
  // No service for port 0 (the dns probe): c-ares 1.18 rejects "0" with ARES_ESERVICE.
  Ares().ares_getaddrinfo(channel.channel, host.c_str(), port == 0 ? nullptr : service.c_str(), &hints,
                   OnAddrInfo, &lookup);
  while (!lookup.done) {
    deadline.Check(what);
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    const int bits = Ares().ares_getsock(channel.channel, socks, ARES_GETSOCK_MAXNUM);
    pollfd fds[ARES_GETSOCK_MAXNUM];
    nfds_t n = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short events = 0;
      if (ARES_GETSOCK_READABLE(bits, i)) {
        events |= POLLIN;
      }
      if (ARES_GETSOCK_WRITABLE(bits, i)) {
        events |= POLLOUT;
      }
      if (events != 0) {
        fds[n++] = pollfd{socks[i], events, 0};
      }
    }
    const auto slice = std::min(deadline.Remaining(), kSlice);
    timeval max{0, static_cast<suseconds_t>(slice.count() * 1000)};
    timeval tv{};
    Ares().ares_timeout(channel.channel, &max, &tv);
    const int wait_ms = static_cast<int>(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
    int ready = ::poll(fds, n, wait_ms);
    if (ready < 0 && errno != EINTR) {
      throw ProbeFailure(what + ": poll: " + Errno(errno));
    }
    if (ready <= 0) {
      Ares().ares_process_fd(channel.channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts, retries
      continue;
    }
    for (nfds_t i = 0; i < n; ++i) {
      const bool r = (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
      const bool w = (fds[i].revents & POLLOUT) != 0;
      if (r || w) {
        Ares().ares_process_fd(channel.channel, r ? fds[i].fd : ARES_SOCKET_BAD,
                        w ? fds[i].fd : ARES_SOCKET_BAD);
      }
    }
  }
  if (retried_over_tcp != nullptr) {
    *retried_over_tcp = lookup.tcp;
  }
  if (lookup.status != ARES_SUCCESS) {
    // c-ares retries a truncated answer over TCP by itself; when that fails
    // its status speaks of the TCP connection only ("Could not contact DNS
    // servers" for a refused one), so say what came before.
    const std::string truncated =
        lookup.tcp ? "the answer over UDP was truncated (TC bit) and the retry over TCP failed: "
                   : "";
    if (lookup.status == ARES_ETIMEOUT) {
      throw ProbeFailure(what + ": " + truncated + "no answer from the DNS server within the " +
                         deadline.TimeoutText() + " timeout");
    }
    if (lookup.tcp && lookup.status == ARES_ECONNREFUSED) {
      throw ProbeFailure(what + ": " + truncated + "connection refused or reset");
    }
    throw ProbeFailure(what + ": " + truncated + Ares().ares_strerror(lookup.status) +
                       " (c-ares status " + std::to_string(lookup.status) + ")");
  }
  if (lookup.addresses.empty()) {
    throw ProbeFailure(what + ": no addresses in the answer");
  }
  return lookup.addresses;
}

Fd Connect(const config::HostPort& to, const Deadline& deadline, Address* connected) {
  const std::string what = "connect to " + to.ToString();
  std::vector<Address> addresses = Resolve(to.host, to.port, {}, deadline);
  std::string last_error;
  for (const Address& a : addresses) {
    Fd fd(::socket(a.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
      last_error = "socket: " + Errno(errno);
      continue;
    }
    int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.length);
    if (rc != 0 && errno != EINPROGRESS) {
      last_error = Errno(errno);
      continue;
    }
    if (rc != 0) {
      WaitFor(fd.get(), POLLOUT, deadline, what);
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        last_error = Errno(err);
        continue;
      }
    }
    if (connected != nullptr) {
      *connected = a;
    }
    return fd;
  }
  throw ProbeFailure(what + ": " + last_error);
}

std::string OpenSslError() {
  unsigned long code = OpenSsl().ERR_get_error();
  std::string out;
  while (code != 0) {
    char buf[256];
    OpenSsl().ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) {
      out += "; ";
    }
    // Drop OpenSSL's "error:0A000086:SSL routines:" prefix: the reason is what a person needs.
    std::string text = buf;
    std::size_t pos = text.rfind(':');
    out += pos == std::string::npos ? text : text.substr(pos + 1);
    code = OpenSsl().ERR_get_error();
  }
  return out.empty() ? "unknown TLS error" : out;
}

Stream::Stream(Stream&& other) noexcept
    : fd_(std::move(other.fd_)),
      ctx_(std::exchange(other.ctx_, nullptr)),
      ssl_(std::exchange(other.ssl_, nullptr)) {}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    if (ssl_ != nullptr) {
      OpenSsl().SSL_free(ssl_);
    }
    if (ctx_ != nullptr) {
      OpenSsl().SSL_CTX_free(ctx_);
    }
    ssl_ = std::exchange(other.ssl_, nullptr);  // before the fd it uses goes
    ctx_ = std::exchange(other.ctx_, nullptr);
    fd_ = std::move(other.fd_);
  }
  return *this;
}

Stream::~Stream() {
  if (ssl_ != nullptr) {
    OpenSsl().SSL_free(ssl_);
  }
  if (ctx_ != nullptr) {
    OpenSsl().SSL_CTX_free(ctx_);
  }
}

void Stream::StartTls(const config::TlsClientConfig& tls, const std::string& host, bool verify,
                      const Deadline& deadline) {
  Need(OpenSsl).ERR_clear_error();
  const std::string name = tls.server_name.empty() ? host : tls.server_name;
  const std::string what = "TLS handshake with " + name;
  ctx_ = OpenSsl().SSL_CTX_new(OpenSsl().TLS_client_method());
  if (ctx_ == nullptr) {
    throw ProbeFailure(what + ": " + OpenSslError());
  }
  SetMinProtoVersion(ctx_, TLS1_2_VERSION);
  if (!tls.ca_file.empty()) {
    if (OpenSsl().SSL_CTX_load_verify_locations(ctx_, tls.ca_file.c_str(), nullptr) != 1) {
      throw ProbeFailure("cannot load ca_file " + tls.ca_file + ": " + OpenSslError());
    }
  } else {
    OpenSsl().SSL_CTX_set_default_verify_paths(ctx_);
  }
  if (!tls.cert_file.empty()) {
    if (OpenSsl().SSL_CTX_use_certificate_chain_file(ctx_, tls.cert_file.c_str()) != 1 ||
        OpenSsl().SSL_CTX_use_PrivateKey_file(ctx_, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      throw ProbeFailure("cannot load the client certificate " + tls.cert_file + ": " +
                         OpenSslError());
    }
  }
  ssl_ = OpenSsl().SSL_new(ctx_);
  if (ssl_ == nullptr || OpenSsl().SSL_set_fd(ssl_, fd_.get()) != 1) {
    throw ProbeFailure(what + ": " + OpenSslError());
  }
  unsigned char ip[16];
  const bool literal =
      inet_pton(AF_INET, name.c_str(), ip) == 1 || inet_pton(AF_INET6, name.c_str(), ip) == 1;
  if (literal) {
    OpenSsl().X509_VERIFY_PARAM_set1_ip_asc(OpenSsl().SSL_get0_param(ssl_), name.c_str());
  } else {
    SetTlsExtHostName(ssl_, name.c_str());
    OpenSsl().SSL_set1_host(ssl_, name.c_str());
  }
  // The handshake never fails on the certificate: the verdict is read after
  // it (verify_result()), so that tls_expiry can still see an expired chain.
  OpenSsl().SSL_set_verify(ssl_, SSL_VERIFY_NONE, nullptr);
  for (;;) {
    int rc = OpenSsl().SSL_connect(ssl_);
    if (rc == 1) {
      break;
    }
    int err = OpenSsl().SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_READ) {
      WaitFor(fd_.get(), POLLIN, deadline, what);
    } else if (err == SSL_ERROR_WANT_WRITE) {
      WaitFor(fd_.get(), POLLOUT, deadline, what);
    } else if (err == SSL_ERROR_SYSCALL && OpenSsl().ERR_peek_error() == 0) {
      throw ProbeFailure(what + ": the server closed the connection (is it speaking TLS?)");
    } else {
      throw ProbeFailure(what + ": " + OpenSslError());
    }
  }
  if (verify && !tls.insecure_skip_verify) {
    const long result = OpenSsl().SSL_get_verify_result(ssl_);
    if (result != X509_V_OK) {
      throw ProbeFailure("TLS certificate of " + name + " not trusted: " +
                         OpenSsl().X509_verify_cert_error_string(result));
    }
  }
}

long Stream::verify_result() const {
  return ssl_ != nullptr ? OpenSsl().SSL_get_verify_result(ssl_) : X509_V_OK;
}

void Stream::WriteAll(std::string_view data, const Deadline& deadline) {
  while (!data.empty()) {
    deadline.Check("send");
    if (ssl_ != nullptr) {
      std::size_t written = 0;
      int rc = OpenSsl().SSL_write_ex(ssl_, data.data(), data.size(), &written);
      if (rc == 1) {
        data.remove_prefix(written);
        continue;
      }
      int err = OpenSsl().SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_WANT_READ) {
        WaitFor(fd_.get(), POLLIN, deadline, "send");
      } else if (err == SSL_ERROR_WANT_WRITE) {
        WaitFor(fd_.get(), POLLOUT, deadline, "send");
      } else {
        throw ProbeFailure("send: " + OpenSslError());
      }
      continue;
    }
    ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      WaitFor(fd_.get(), POLLOUT, deadline, "send");
    } else {
      throw ProbeFailure("send: " + Errno(errno));
    }
  }
}

std::size_t Stream::ReadSome(char* buffer, std::size_t size, const Deadline& deadline) {
  for (;;) {
    // Also while data keeps coming: a peer that never stops sending must not
    // hold a reader past its deadline.
    deadline.Check("waiting for an answer");
    if (ssl_ != nullptr) {
      std::size_t got = 0;
      int rc = OpenSsl().SSL_read_ex(ssl_, buffer, size, &got);
      if (rc == 1) {
        return got;
      }
      int err = OpenSsl().SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_ZERO_RETURN) {
        return 0;
      }
      if (err == SSL_ERROR_WANT_READ) {
        WaitFor(fd_.get(), POLLIN, deadline, "waiting for an answer");
      } else if (err == SSL_ERROR_WANT_WRITE) {
        WaitFor(fd_.get(), POLLOUT, deadline, "waiting for an answer");
      } else if (err == SSL_ERROR_SYSCALL && OpenSsl().ERR_peek_error() == 0) {
        return 0;  // closed without close_notify
      } else {
        throw ProbeFailure("receive: " + OpenSslError());
      }
      continue;
    }
    ssize_t n = ::recv(fd_.get(), buffer, size, 0);
    if (n >= 0) {
      return static_cast<std::size_t>(n);
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      WaitFor(fd_.get(), POLLIN, deadline, "waiting for an answer");
      continue;
    }
    throw ProbeFailure("receive: " + Errno(errno));
  }
}

std::optional<ChainExpiry> PeerChainExpiry(SSL* ssl) {
  STACK_OF(X509)* chain = OpenSsl().SSL_get_peer_cert_chain(ssl);
  if (chain == nullptr || StackSize(chain) == 0) {
    return std::nullopt;
  }
  ChainExpiry out;
  bool first = true;
  for (int i = 0; i < StackSize(chain); ++i) {
    X509* cert = X509At(chain, i);
    std::tm tm{};
    if (OpenSsl().ASN1_TIME_to_tm(OpenSsl().X509_get0_notAfter(cert), &tm) != 1) {
      continue;
    }
    const double not_after = static_cast<double>(timegm(&tm));
    ++out.certificates;
    if (first || not_after < out.earliest_not_after) {
      first = false;
      out.earliest_not_after = not_after;
      char subject[256];
      OpenSsl().X509_NAME_oneline(OpenSsl().X509_get_subject_name(cert), subject, sizeof subject);
      out.subject = subject;
    }
  }
  if (out.certificates == 0) {
    return std::nullopt;
  }
  return out;
}

}  // namespace vitals::probes
