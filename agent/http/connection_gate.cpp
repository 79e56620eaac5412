#include "agent/http/connection_gate.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "agent/log.h"

namespace vitals::http {

namespace {

// Descriptors of CivetWeb listeners that a gate has taken over. accept() is
// called rarely (CivetWeb's master thread, once per connection), so a mutex
// and a short vector are enough.
std::mutex registry_mutex;
std::vector<std::pair<int, ConnectionGate*>> registry;  // guarded by registry_mutex

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr std::string_view k431 =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Connection: close\r\nContent-Length: 32\r\n\r\nrequest header fields too large\n";
constexpr std::string_view k400Tls =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Connection: close\r\nContent-Length: 48\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";

constexpr int kMaxEvents = 64;
constexpr std::int64_t kArmAfterMs = 2'500;  // CivetWeb 1.15's master polls for up to 2 s
constexpr int kAcceptBurst = 64;    // accepts per wakeup, so reads are not starved
constexpr int kTlsRecordMax = 18'432;  // 2^14 plus the largest expansion TLS allows

}  // namespace

std::variant<std::unique_ptr<ConnectionGate>, std::string> ConnectionGate::Start(
    int listener_fd, const Options& options) {
  std::unique_ptr<ConnectionGate> gate(new ConnectionGate(options));
  auto fail = [&](std::string what) { return what + ": " + std::strerror(errno); };
  gate->real_fd_ = fcntl(listener_fd, F_DUPFD_CLOEXEC, 0);
  if (gate->real_fd_ < 0) {
    return fail("cannot duplicate the listening socket");
  }
  int flags = fcntl(gate->real_fd_, F_GETFL);
  fcntl(gate->real_fd_, F_SETFL, flags | O_NONBLOCK);
  gate->event_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
  gate->stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  gate->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (gate->event_fd_ < 0 || gate->stop_fd_ < 0 || gate->epoll_fd_ < 0) {
    return fail("cannot create the gate's event descriptors");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = gate->stop_fd_;
  epoll_ctl(gate->epoll_fd_, EPOLL_CTL_ADD, gate->stop_fd_, &ev);
  {
    // Registered before the swap: from here on CivetWeb's accept() on this
    // number asks the gate (and gets EAGAIN until something is ready).
    std::lock_guard lock(registry_mutex);
    registry.emplace_back(listener_fd, gate.get());
  }
  if (dup3(gate->event_fd_, listener_fd, O_CLOEXEC) < 0) {
    std::string err = fail("cannot take over the listening socket");
    std::lock_guard lock(registry_mutex);
    std::erase_if(registry, [&](const auto& e) { return e.second == gate.get(); });
    return err;
  }
  gate->listener_fd_ = listener_fd;
  {
    std::lock_guard lock(gate->mutex_);
    gate->swapped_ms_ = NowMs();
  }
  // Kick: if CivetWeb's master already polls the eventfd, this makes it call
  // accept() once, which arms the gate (see armed_).
  std::uint64_t one = 1;
  (void)!write(gate->event_fd_, &one, sizeof one);
  gate->thread_ = std::thread([g = gate.get()] { g->Run(); });
  return gate;
}

ConnectionGate::ConnectionGate(const Options& options)
    : options_(options), stats_(options.stats != nullptr ? options.stats : &own_stats_) {
  peek_.resize(std::max<std::size_t>(options.limits.max_header_bytes, kTlsRecordMax) + 1);
}

ConnectionGate::~ConnectionGate() {
  {
    std::lock_guard lock(registry_mutex);
    std::erase_if(registry, [&](const auto& e) { return e.second == this; });
  }
  if (thread_.joinable()) {
    std::uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  std::lock_guard lock(mutex_);
  for (const auto& [fd, conn] : conns_) {
    close(fd);
  }
  // Drain the eventfd in case CivetWeb is still running (a failed start).
  std::uint64_t token = 0;
  while (read(event_fd_, &token, sizeof token) == sizeof token) {
  }
  stats_->waiting -= static_cast<std::int64_t>(conns_.size());
  conns_.clear();
  for (int fd : {real_fd_, event_fd_, stop_fd_, epoll_fd_}) {
    if (fd >= 0) {
      close(fd);
    }
  }
  // listener_fd_ (CivetWeb's number for our eventfd) is CivetWeb's to close.
}

void ConnectionGate::PrepareStop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  std::uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof one);
}

void ConnectionGate::Arm() {
  if (armed_) {
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = real_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, real_fd_, &ev);
  armed_ = true;
}

int ConnectionGate::Pop(sockaddr* addr, socklen_t* addrlen) {
  std::lock_guard lock(mutex_);
  if (swapped_ms_ != 0) {
    Arm();  // CivetWeb's master polls the eventfd from now on
  }
  std::uint64_t token = 0;
  // A token with nothing ready is the kick written at the swap.
  if (stopping_ || read(event_fd_, &token, sizeof token) != sizeof token || ready_.empty()) {
    errno = EAGAIN;
    return -1;
  }
  int fd = ready_.front();
  ready_.pop_front();
  conns_.erase(fd);
  --stats_->waiting;
  ++stats_->handed_over;
  // accept(2) returns a blocking descriptor whatever the listener's mode.
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (addr != nullptr && addrlen != nullptr) {
    getpeername(fd, addr, addrlen);
  }
  return fd;
}

void ConnectionGate::Run() {
  epoll_event events[kMaxEvents];
  for (;;) {
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, 100);
    if (n < 0 && errno != EINTR) {
      log::Error("connection gate: epoll_wait failed", {{"err", std::strerror(errno)}});
      return;
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == stop_fd_) {
        return;
      }
      if (fd == real_fd_) {
        AcceptAll();
        continue;
      }
      std::lock_guard lock(mutex_);
      if (conns_.count(fd) != 0) {
        Inspect(fd);
      }
    }
    std::lock_guard lock(mutex_);
    std::int64_t now = NowMs();
    if (!armed_ && now - swapped_ms_ > kArmAfterMs) {
      Arm();
    }
    ExpireOld(now);
  }
}

void ConnectionGate::AcceptAll() {
  for (int i = 0; i < kAcceptBurst; ++i) {
    int fd = accept4(real_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
        // EMFILE and friends: back off a little rather than spin.
        log::Warn("connection gate: accept failed", {{"err", std::strerror(errno)}});
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      return;
    }
    std::lock_guard lock(mutex_);
    ++stats_->accepted;
    if (conns_.size() >= options_.limits.max_connections && !EvictOldestIncomplete()) {
      // Everything held is complete and waiting for a worker: refuse the newcomer.
      close(fd);
      ++stats_->evicted;
      continue;
    }
    std::uint64_t seq = ++next_seq_;
    conns_[fd] = Conn{seq, NowMs(), false};
    order_.emplace_back(fd, seq);
    ++stats_->waiting;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    Inspect(fd);  // the request often arrives with the handshake
  }
}

void ConnectionGate::Inspect(int fd) {
  ssize_t n = recv(fd, peek_.data(), peek_.size(), MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    Close(fd, nullptr);  // the client went away before sending a request
    return;
  }
  if (n < 0) {
    return;
  }
  std::string_view data(peek_.data(), static_cast<std::size_t>(n));
  bool complete = false;
  if (options_.tls) {
    if (data[0] != 0x16) {  // not a TLS handshake record: someone speaks HTTP
      Reject(fd, k400Tls, &stats_->plain_http_on_tls);
      return;
    }
    if (data.size() >= 5) {
      std::size_t length = (static_cast<unsigned char>(data[3]) << 8) |
                           static_cast<unsigned char>(data[4]);
      // A bogus length is OpenSSL's to refuse; the gate only waits for bytes.
      complete = length > kTlsRecordMax || data.size() >= 5 + length;
    }
  } else {
    std::size_t end = std::min(data.find("\r\n\r\n"), data.find("\n\n"));
    complete = end != std::string_view::npos;
    if ((complete ? end : data.size()) > options_.limits.max_header_bytes) {
      Reject(fd, k431, &stats_->headers_too_large);
      return;
    }
  }
  if (!complete) {
    return;
  }
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  conns_[fd].complete = true;
  ready_.push_back(fd);
  std::uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof one);
}

void ConnectionGate::Close(int fd, std::atomic<std::uint64_t>* counter) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  conns_.erase(fd);
  --stats_->waiting;
  if (counter != nullptr) {
    ++*counter;
  }
}

void ConnectionGate::Reject(int fd, std::string_view response,
                            std::atomic<std::uint64_t>* counter) {
  (void)!send(fd, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  shutdown(fd, SHUT_WR);
  Close(fd, counter);
}

bool ConnectionGate::EvictOldestIncomplete() {
  for (auto it = order_.begin(); it != order_.end();) {
    auto found = conns_.find(it->first);
    if (found == conns_.end() || found->second.seq != it->second) {
      it = order_.erase(it);  // already closed or handed over
      continue;
    }
    if (found->second.complete) {
      ++it;
      continue;
    }
    int fd = it->first;
    order_.erase(it);
    Close(fd, &stats_->evicted);
    return true;
  }
  return false;
}

void ConnectionGate::ExpireOld(std::int64_t now_ms) {
  std::int64_t limit = options_.limits.header_timeout.count();
  while (!order_.empty()) {
    auto [fd, seq] = order_.front();
    auto found = conns_.find(fd);
    if (found == conns_.end() || found->second.seq != seq) {
      order_.pop_front();
      continue;
    }
    if (found->second.complete) {
      order_.pop_front();  // waiting for a worker is not the client's fault
      continue;
    }
    if (now_ms - found->second.accepted_ms < limit) {
      return;  // accept order: everyone behind is younger
    }
    order_.pop_front();
    Close(fd, &stats_->header_timeouts);
  }
}

namespace {

// `handled` says whether `fd` belongs to a gate; if so the result is Pop()'s.
int GatedAccept(int fd, sockaddr* addr, socklen_t* addrlen, bool* handled) {
  std::lock_guard lock(registry_mutex);
  for (const auto& [listener, gate] : registry) {
    if (listener == fd) {
      *handled = true;
      return gate->Pop(addr, addrlen);
    }
  }
  *handled = false;
  return -1;
}

}  // namespace

}  // namespace vitals::http

// The interposer. libcivetweb.so calls accept() through its PLT; a definition
// in the executable comes first in the lookup order, so CivetWeb's master
// thread lands here. Descriptors that no gate owns go straight to the kernel
// (accept4 with no flags is accept).
extern "C" __attribute__((visibility("default"))) int accept(int fd, sockaddr* addr,
                                                             socklen_t* addrlen) {
  bool handled = false;
  int result = vitals::http::GatedAccept(fd, addr, addrlen, &handled);
  return handled ? result : accept4(fd, addr, addrlen, 0);
}
