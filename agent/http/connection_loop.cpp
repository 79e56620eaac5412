#include "agent/http/connection_loop.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include "agent/http/response.h"
#include "agent/http/tls.h"
#include "agent/log/log.h"
#include "agent/platform/openssl.h"

namespace vitals::http {

namespace {

using platform::OpenSsl;

constexpr std::uint64_t kListenerTag = 1;
constexpr std::uint64_t kWakeTag = 2;
constexpr std::uint64_t kStopTag = 3;
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr int kAcceptBurst = 256;        // accepts per turn, so reads are not starved
constexpr std::int64_t kLingerMs = 2'000;  // reading what a refused client still sends
constexpr std::int64_t kAcceptRetryMs = 100;  // after EMFILE and the like

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string PeerName(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  }
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

}  // namespace

struct ConnectionLoop::Conn {
  std::uint64_t id = 0;
  int fd = -1;
  sockaddr_storage peer{};
  Phase phase = Phase::kIdle;
  SSL* ssl = nullptr;
  // Readiness that epoll reported (edge-triggered) and we have not used up:
  // cleared only when a read or write says it would block.
  bool readable = true;
  bool writable = true;
  bool fresh = true;               // no request answered yet
  std::int64_t waiting_since = 0;  // began waiting for a head (eviction order)
  std::int64_t deadline = 0;       // 0: none
  std::string in;                  // read, not yet consumed
  std::size_t scanned = 0;         // FindHeadEnd's progress in `in`
  std::unique_ptr<Request> request;  // while its body is read
  std::optional<ChunkedDecoder> chunked;
  std::uint64_t body_left = 0;     // Content-Length bytes still to come
  std::string out;                 // to send (a 100 Continue, then the answer)
  std::size_t out_sent = 0;
  bool close_after_write = false;
};

std::variant<int, std::string> Listen(const std::string& host, int port) {
  auto fail = [&](const char* what) {
    std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return "cannot listen on " + shown + ":" + std::to_string(port) + ": " + what + ": " +
           std::strerror(errno);
  };
  bool wildcard = host.empty() || host == "0.0.0.0" || host == "::";
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (wildcard || inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (wildcard) {
      v6->sin6_addr = in6addr_any;
    }
    len = sizeof(sockaddr_in6);
  } else if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof(sockaddr_in);
  } else {
    errno = EINVAL;
    return fail("not an IP address");
  }
  for (;;) {
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int err = errno;
    bool bound = false;
    if (fd >= 0) {
      int one = 1;
      int v6only = wildcard ? 0 : 1;  // the wildcard serves IPv4 too, as ::ffff:a.b.c.d
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (addr.ss_family == AF_INET6) {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
      }
      bound = bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0;
      err = errno;
      if (bound && listen(fd, 1024) == 0) {
        return fd;
      }
      err = errno;
      close(fd);
    }
    errno = err;
    // No IPv6 in this kernel (or switched off): the wildcard falls back to IPv4.
    if (wildcard && addr.ss_family == AF_INET6 &&
        (err == EAFNOSUPPORT || err == EADDRNOTAVAIL || err == EPROTONOSUPPORT)) {
      addr = {};
      v4->sin_family = AF_INET;
      v4->sin_port = htons(static_cast<std::uint16_t>(port));
      v4->sin_addr.s_addr = htonl(INADDR_ANY);
      len = sizeof(sockaddr_in);
      continue;
    }
    return fail(fd < 0 ? "socket" : bound ? "listen" : "bind");
  }
}

ConnectionLoop::ConnectionLoop(Options options) : options_(std::move(options)) {
  scratch_.resize(kReadChunk);
}

std::variant<std::unique_ptr<ConnectionLoop>, std::string> ConnectionLoop::Start(
    Options options) {
  std::unique_ptr<ConnectionLoop> loop(new ConnectionLoop(std::move(options)));
  loop->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  loop->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  loop->stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (loop->epoll_fd_ < 0 || loop->wake_fd_ < 0 || loop->stop_fd_ < 0) {
    return std::string("cannot create the web server's event descriptors: ") +
           std::strerror(errno);
  }
  auto add = [&](int fd, std::uint64_t tag, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    return epoll_ctl(loop->epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
  };
  if (!add(loop->options_.listener, kListenerTag, EPOLLIN | EPOLLET) ||
      !add(loop->wake_fd_, kWakeTag, EPOLLIN) || !add(loop->stop_fd_, kStopTag, EPOLLIN)) {
    return std::string("cannot watch the listening socket: ") + std::strerror(errno);
  }
  loop->thread_ = std::thread([l = loop.get()] { l->Run(); });
  pthread_setname_np(loop->thread_.native_handle(), "vitals-http");
  return loop;
}

void ConnectionLoop::Stop() {
  if (thread_.joinable()) {
    std::uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
}

ConnectionLoop::~ConnectionLoop() {
  Stop();
  while (!conns_.empty()) {
    Close(*conns_.begin()->second);
  }
  for (int fd : {options_.listener, epoll_fd_, wake_fd_, stop_fd_}) {
    if (fd >= 0) {
      close(fd);
    }
  }
}

int ConnectionLoop::port() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(options_.listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return -1;
  }
  return addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                    : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

void ConnectionLoop::Respond(std::uint64_t connection, std::string bytes, bool keep_alive) {
  {
    std::lock_guard lock(answers_mutex_);
    answers_.push_back({connection, std::move(bytes), keep_alive});
  }
  std::uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
}

void ConnectionLoop::Run() {
  epoll_event events[64];
  for (;;) {
    int n = epoll_wait(epoll_fd_, events, 64, NextTimeoutMs(NowMs()));
    if (n < 0 && errno != EINTR) {
      log::Error("web server: epoll_wait failed; no longer serving", {{"err", std::strerror(errno)}});
      return;
    }
    std::int64_t now = NowMs();
    for (int i = 0; i < n; ++i) {
      std::uint64_t tag = events[i].data.u64;
      if (tag == kStopTag) {
        return;
      }
      if (tag == kListenerTag) {
        AcceptAll(now);
        continue;
      }
      if (tag == kWakeTag) {
        std::uint64_t count = 0;
        (void)!read(wake_fd_, &count, sizeof count);
        TakeAnswers(now);
        continue;
      }
      auto it = conns_.find(tag);
      if (it == conns_.end()) {
        continue;  // closed earlier in this batch
      }
      Conn& c = *it->second;
      std::uint32_t ev = events[i].events;
      c.readable = c.readable || (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
      c.writable = c.writable || (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0;
      Drive(c);
    }
    now = NowMs();
    if (retry_accept_at_ != 0 && now >= retry_accept_at_) {
      retry_accept_at_ = 0;
      AcceptAll(now);
    }
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      std::uint64_t id = deadlines_.begin()->second;
      deadlines_.erase(deadlines_.begin());
      auto it = conns_.find(id);
      if (it != conns_.end()) {
        it->second->deadline = 0;
        OnTimeout(*it->second);
      }
    }
  }
}

int ConnectionLoop::NextTimeoutMs(std::int64_t now) const {
  std::int64_t next = deadlines_.empty() ? 0 : deadlines_.begin()->first;
  if (retry_accept_at_ != 0 && (next == 0 || retry_accept_at_ < next)) {
    next = retry_accept_at_;
  }
  if (next == 0) {
    return -1;  // nothing to time out: sleep until an event
  }
  return static_cast<int>(std::clamp<std::int64_t>(next - now, 0, 60'000));
}

void ConnectionLoop::AcceptAll(std::int64_t now) {
  for (int i = 0; i < kAcceptBurst; ++i) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int fd = accept4(options_.listener, reinterpret_cast<sockaddr*>(&peer), &len,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        // EMFILE and the like: the connection stays queued; try again soon
        // rather than spin on it.
        log::Warn("web server: accept failed", {{"err", std::strerror(errno)}});
        retry_accept_at_ = now + kAcceptRetryMs;
      }
      return;
    }
    ++options_.stats->accepted;
    if (conns_.size() >= options_.limits.max_connections && !EvictOldestWaiting()) {
      close(fd);  // every connection is busy with a request: refuse the newcomer
      ++options_.stats->evicted;
      continue;
    }
    int one = 1;
    // Answers go out in one write, and nothing should wait for an ACK.
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto conn = std::make_unique<Conn>();
    Conn& c = *conn;
    c.id = next_id_++;
    c.fd = fd;
    c.peer = peer;
    c.phase = Phase::kHandling;  // SetPhase below counts it as waiting
    conns_.emplace(c.id, std::move(conn));
    SetPhase(c, options_.tls != nullptr ? Phase::kHandshake : Phase::kIdle);
    SetDeadline(c, now + options_.limits.header_timeout.count());
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = c.id;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      Close(c);
      continue;
    }
    Drive(c);  // the request often arrives with the handshake
  }
  retry_accept_at_ = now;  // more may be queued: after the other events
}

bool ConnectionLoop::EvictOldestWaiting() {
  Conn* oldest = nullptr;
  for (auto& [id, conn] : conns_) {
    bool waiting = conn->phase == Phase::kHandshake || conn->phase == Phase::kIdle ||
                   conn->phase == Phase::kHead;
    if (waiting && (oldest == nullptr || conn->waiting_since < oldest->waiting_since)) {
      oldest = conn.get();
    }
  }
  if (oldest == nullptr) {
    return false;
  }
  ++options_.stats->evicted;
  Close(*oldest);
  return true;
}

void ConnectionLoop::TakeAnswers(std::int64_t now) {
  std::vector<Answer> answers;
  {
    std::lock_guard lock(answers_mutex_);
    answers.swap(answers_);
  }
  for (Answer& a : answers) {
    auto it = conns_.find(a.connection);
    if (it == conns_.end() || it->second->phase != Phase::kHandling) {
      continue;  // the client went away meanwhile
    }
    Conn& c = *it->second;
    c.out.append(a.bytes);
    c.close_after_write = !a.keep_alive;
    SetPhase(c, Phase::kWriting);
    SetDeadline(c, now + options_.limits.request_timeout.count());
    Drive(c);
  }
}

void ConnectionLoop::Drive(Conn& c) {
  for (;;) {
    Step step = Step::kWait;
    switch (c.phase) {
      case Phase::kHandshake: step = Handshake(c); break;
      case Phase::kIdle:
      case Phase::kHead: step = ReadHead(c); break;
      case Phase::kBody: step = ReadBody(c); break;
      case Phase::kHandling: return;  // the answer comes through Respond()
      case Phase::kWriting: step = Write(c); break;
      case Phase::kLingering: step = Linger(c); break;
    }
    if (step != Step::kAgain) {
      return;
    }
  }
}

ConnectionLoop::Step ConnectionLoop::Handshake(Conn& c) {
  if (c.ssl == nullptr) {
    // A TLS connection starts with a handshake record (0x16); anything else
    // is most likely plain HTTP, which deserves a readable answer.
    char first = 0;
    ssize_t n = recv(c.fd, &first, 1, MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      c.readable = false;
      return Step::kWait;
    }
    if (n <= 0) {
      Close(c);
      return Step::kClosed;
    }
    if (first != 0x16) {
      ++options_.stats->plain_http_on_tls;
      c.out = Serialize(Response::Text(400, "Client sent an HTTP request to an HTTPS server.\n"),
                        Framing{.keep_alive = false});
      c.close_after_write = true;
      SetPhase(c, Phase::kWriting);
      return Step::kAgain;
    }
    c.ssl = options_.tls->NewSession(c.fd);
    if (c.ssl == nullptr) {
      ++options_.stats->tls_handshake_errors;
      Close(c);
      return Step::kClosed;
    }
  }
  OpenSsl().ERR_clear_error();
  int r = OpenSsl().SSL_accept(c.ssl);
  if (r == 1) {
    SetPhase(c, Phase::kIdle);  // the head deadline set at accept still runs
    return Step::kAgain;
  }
  int err = OpenSsl().SSL_get_error(c.ssl, r);
  if (err == SSL_ERROR_WANT_READ) {
    c.readable = false;
    return Step::kWait;
  }
  if (err == SSL_ERROR_WANT_WRITE) {
    c.writable = false;
    return Step::kWait;
  }
  ++options_.stats->tls_handshake_errors;
  char detail[256] = "connection closed";
  if (unsigned long e = OpenSsl().ERR_get_error()) {
    OpenSsl().ERR_error_string_n(e, detail, sizeof detail);
  }
  log::Debug("TLS handshake failed", {{"peer", PeerName(c.peer)}, {"err", detail}});
  Close(c);
  return Step::kClosed;
}

ConnectionLoop::Step ConnectionLoop::ReadHead(Conn& c) {
  const std::size_t max = options_.limits.max_header_bytes;
  if (c.phase == Phase::kIdle) {
    c.in.erase(0, LeadingEmptyLines(c.in));
    if (!c.in.empty() && c.in != "\r") {
      SetPhase(c, Phase::kHead);
      c.scanned = 0;
      if (!c.fresh) {  // a fresh connection's deadline runs from its accept
        SetDeadline(c, NowMs() + options_.limits.header_timeout.count());
      }
    }
  }
  if (c.phase == Phase::kHead) {
    std::size_t end = FindHeadEnd(c.in, &c.scanned);
    if (end != std::string::npos && end <= max) {
      return StartRequest(c, end);
    }
    if (end != std::string::npos || c.in.size() > max) {
      return Refuse(c, 431, "the request head is over max_header_bytes (" + std::to_string(max) +
                                " bytes)",
                    &options_.stats->headers_too_large);
    }
  }
  if (!c.readable) {
    return Step::kWait;
  }
  switch (Read(c, max + 1 - c.in.size())) {
    case Io::kData: return Step::kAgain;
    case Io::kAgain: return Step::kWait;
    case Io::kEof:
    case Io::kError: Close(c); return Step::kClosed;
  }
  return Step::kWait;
}

ConnectionLoop::Step ConnectionLoop::StartRequest(Conn& c, std::size_t head_end) {
  auto parsed = Request::Parse(c.in.substr(0, head_end));
  c.in.erase(0, head_end);
  c.scanned = 0;
  if (auto* error = std::get_if<HeadError>(&parsed)) {
    return Refuse(c, error->status, error->reason, &options_.stats->bad_requests);
  }
  c.request = std::move(std::get<std::unique_ptr<Request>>(parsed));
  const RequestHead& head = c.request->head();
  const std::uint64_t max_body = options_.limits.max_body_bytes;
  if (head.content_length > max_body) {
    return BodyTooLarge(c);
  }
  c.chunked.reset();
  if (head.chunked) {
    c.chunked.emplace(max_body);
  }
  c.body_left = head.content_length;
  SetPhase(c, Phase::kBody);
  SetDeadline(c, NowMs() + options_.limits.request_timeout.count());
  bool body_pending = head.chunked || c.in.size() < head.content_length;
  if (head.expect_continue && body_pending) {
    c.out.append("HTTP/1.1 100 Continue\r\n\r\n");
  }
  return Step::kAgain;
}

ConnectionLoop::Step ConnectionLoop::ReadBody(Conn& c) {
  if (c.out_sent < c.out.size() && Flush(c) == Io::kError) {  // a 100 Continue
    Close(c);
    return Step::kClosed;
  }
  std::string* body = c.request->mutable_body();
  if (c.chunked) {
    std::size_t used = 0;
    auto status = c.chunked->Feed(c.in, &used, body);
    c.in.erase(0, used);
    if (status == ChunkedDecoder::Status::kDone) {
      Dispatch(c);
      return Step::kWait;
    }
    if (status == ChunkedDecoder::Status::kMalformed) {
      return Refuse(c, 400, "a malformed chunked body", &options_.stats->bad_requests);
    }
    if (status == ChunkedDecoder::Status::kTooLarge) {
      return BodyTooLarge(c);
    }
  } else {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(c.body_left, c.in.size()));
    body->append(c.in, 0, n);
    c.in.erase(0, n);
    c.body_left -= n;
    if (c.body_left == 0) {
      Dispatch(c);
      return Step::kWait;
    }
  }
  if (!c.readable) {
    return Step::kWait;
  }
  std::size_t want = c.chunked ? kReadChunk
                               : static_cast<std::size_t>(std::min<std::uint64_t>(c.body_left, kReadChunk));
  switch (Read(c, want)) {
    case Io::kData: return Step::kAgain;
    case Io::kAgain: return Step::kWait;
    case Io::kEof:
    case Io::kError: Close(c); return Step::kClosed;
  }
  return Step::kWait;
}

void ConnectionLoop::Dispatch(Conn& c) {
  SetPhase(c, Phase::kHandling);
  SetDeadline(c, 0);  // handlers are not interrupted; the write has its own deadline
  options_.on_request(c.id, std::move(c.request));
}

ConnectionLoop::Step ConnectionLoop::Write(Conn& c) {
  switch (Flush(c)) {
    case Io::kAgain: return Step::kWait;
    case Io::kError:
    case Io::kEof: Close(c); return Step::kClosed;
    case Io::kData: break;
  }
  std::string().swap(c.out);  // a large answer's memory goes back at once
  c.out_sent = 0;
  if (c.close_after_write) {
    StartLinger(c);
    return Step::kAgain;
  }
  c.fresh = false;
  SetPhase(c, Phase::kIdle);
  SetDeadline(c, NowMs() + options_.limits.idle_timeout.count());
  if (c.in.empty()) {
    std::string().swap(c.in);  // an idle connection holds no buffer
  }
  return Step::kAgain;  // a pipelined request may be waiting in `in`
}

void ConnectionLoop::StartLinger(Conn& c) {
  if (c.ssl != nullptr) {
    OpenSsl().ERR_clear_error();
    OpenSsl().SSL_shutdown(c.ssl);  // close_notify; the peer's is not awaited
  }
  // Half-close, then read what the client still sends until it closes too:
  // closing with unread data would reset the connection and could destroy
  // the answer before the client reads it.
  shutdown(c.fd, SHUT_WR);
  std::string().swap(c.in);
  SetPhase(c, Phase::kLingering);
  SetDeadline(c, NowMs() + kLingerMs);
}

ConnectionLoop::Step ConnectionLoop::Linger(Conn& c) {
  while (c.readable) {
    ssize_t n = recv(c.fd, scratch_.data(), scratch_.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      c.readable = false;
    } else if (n == 0 || (n < 0 && errno != EINTR)) {
      Close(c);
      return Step::kClosed;
    }
  }
  return Step::kWait;
}

ConnectionLoop::Step ConnectionLoop::Refuse(Conn& c, int status, std::string_view reason,
                                            std::atomic<std::uint64_t>* counter) {
  ++*counter;
  LogRefusal(c, status, reason);
  c.request.reset();
  c.out.append(Serialize(Response::Text(status, std::string(ReasonPhrase(status)) + ": " +
                                                    std::string(reason) + "\n"),
                         Framing{.keep_alive = false}));
  c.close_after_write = true;
  SetPhase(c, Phase::kWriting);
  SetDeadline(c, NowMs() + options_.limits.request_timeout.count());
  return Step::kAgain;
}

ConnectionLoop::Step ConnectionLoop::BodyTooLarge(Conn& c) {
  return Refuse(c, 413, "the body is over max_body_bytes (" +
                            std::to_string(options_.limits.max_body_bytes) + " bytes)",
                &options_.stats->bodies_too_large);
}

void ConnectionLoop::OnTimeout(Conn& c) {
  ConnectionStats& s = *options_.stats;
  switch (c.phase) {
    case Phase::kHandshake:
      ++s.header_timeouts;
      Close(c);
      return;
    case Phase::kIdle:  // no byte of a request: nobody to answer
      ++(c.fresh ? s.header_timeouts : s.idle_timeouts);
      Close(c);
      return;
    case Phase::kHead:
      (void)Refuse(c, 408, "the request head did not arrive within header_timeout (" +
                               std::to_string(options_.limits.header_timeout.count()) + " ms)",
                   &s.header_timeouts);
      Drive(c);
      return;
    case Phase::kBody:
      (void)Refuse(c, 408, "the request body did not arrive within request_timeout (" +
                               std::to_string(options_.limits.request_timeout.count()) + " ms)",
                   &s.request_timeouts);
      Drive(c);
      return;
    case Phase::kWriting:  // the client does not read its answer
      ++s.request_timeouts;
      Close(c);
      return;
    case Phase::kLingering:
    case Phase::kHandling:
      Close(c);
      return;
  }
}

ConnectionLoop::Io ConnectionLoop::Read(Conn& c, std::size_t max) {
  std::size_t want = std::min(max, scratch_.size());
  if (c.ssl != nullptr) {
    OpenSsl().ERR_clear_error();
    std::size_t got = 0;
    int r = OpenSsl().SSL_read_ex(c.ssl, scratch_.data(), want, &got);
    if (r == 1) {
      c.in.append(scratch_.data(), got);
      return Io::kData;
    }
    switch (OpenSsl().SSL_get_error(c.ssl, r)) {
      case SSL_ERROR_WANT_READ: c.readable = false; return Io::kAgain;
      case SSL_ERROR_WANT_WRITE: c.writable = false; return Io::kAgain;
      case SSL_ERROR_ZERO_RETURN: return Io::kEof;
      default: return Io::kError;
    }
  }
  for (;;) {
    ssize_t n = recv(c.fd, scratch_.data(), want, 0);
    if (n > 0) {
      c.in.append(scratch_.data(), static_cast<std::size_t>(n));
      return Io::kData;
    }
    if (n == 0) {
      return Io::kEof;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      c.readable = false;
      return Io::kAgain;
    }
    return Io::kError;
  }
}

ConnectionLoop::Io ConnectionLoop::Flush(Conn& c) {
  while (c.out_sent < c.out.size()) {
    if (!c.writable) {
      return Io::kAgain;
    }
    const char* data = c.out.data() + c.out_sent;
    std::size_t size = c.out.size() - c.out_sent;
    if (c.ssl != nullptr) {
      OpenSsl().ERR_clear_error();
      std::size_t written = 0;
      int r = OpenSsl().SSL_write_ex(c.ssl, data, size, &written);
      if (r == 1) {
        c.out_sent += written;
        continue;
      }
      switch (OpenSsl().SSL_get_error(c.ssl, r)) {
        case SSL_ERROR_WANT_WRITE: c.writable = false; return Io::kAgain;
        case SSL_ERROR_WANT_READ: c.readable = false; return Io::kAgain;
        default: return Io::kError;
      }
    }
    ssize_t n = send(c.fd, data, size, MSG_NOSIGNAL);
    if (n >= 0) {
      c.out_sent += static_cast<std::size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      c.writable = false;
      return Io::kAgain;
    } else if (errno != EINTR) {
      return Io::kError;
    }
  }
  return Io::kData;
}

void ConnectionLoop::Close(Conn& c) {
  SetPhase(c, Phase::kHandling);  // not waiting any more, for the gauge
  SetDeadline(c, 0);
  if (c.ssl != nullptr) {
    OpenSsl().SSL_free(c.ssl);
  }
  close(c.fd);  // also leaves the epoll set
  std::uint64_t id = c.id;  // `c` goes with its entry
  conns_.erase(id);
}

void ConnectionLoop::SetPhase(Conn& c, Phase phase) {
  auto waiting = [](Phase p) {
    return p == Phase::kHandshake || p == Phase::kIdle || p == Phase::kHead;
  };
  if (waiting(phase) && !waiting(c.phase)) {
    ++options_.stats->waiting;
    c.waiting_since = NowMs();
  } else if (!waiting(phase) && waiting(c.phase)) {
    --options_.stats->waiting;
  }
  c.phase = phase;
}

void ConnectionLoop::SetDeadline(Conn& c, std::int64_t at) {
  if (c.deadline != 0) {
    deadlines_.erase({c.deadline, c.id});
  }
  c.deadline = at;
  if (at != 0) {
    deadlines_.insert({at, c.id});
  }
}

void ConnectionLoop::LogRefusal(const Conn& c, int status, std::string_view reason) {
  // At most one line a second: a hostile client must not flood the log.
  std::int64_t now = NowMs();
  if (now - last_log_ms_ < 1'000) {
    ++unlogged_;
    return;
  }
  last_log_ms_ = now;
  log::Warn("request refused", {{"status", std::to_string(status)},
                                {"reason", std::string(reason)},
                                {"peer", PeerName(c.peer)},
                                {"not_logged_since_last", std::to_string(unlogged_)}});
  unlogged_ = 0;
}

}  // namespace vitals::http
