#pragma once
// ConnectionLoop: the one epoll thread that owns every connection of the web
// server, from accept to close, so that no client can hold a thread:
//
//   accept ─► [TLS handshake] ─► wait for a head ─► read the body ─► handling ─► write ─┐
//                                  ▲  (idle_timeout; header_timeout once      (request  │
//                                  │   a byte of it has arrived)              _timeout) │
//                                  └──────────── keep-alive ◄────────────────────────────┘
//
// Reads are non-blocking and consume what they read (edge-triggered epoll,
// with our own record of readiness), so a half-sent head or ClientHello
// costs nothing until its next byte or its deadline. A complete request
// (head parsed by request_head.h, body read up to max_body_bytes) goes to
// the RequestSink; the answer comes back through Respond() from any thread,
// is written without blocking and within request_timeout, and the next
// request on the connection (pipelined or not) is read only after that.
// Framing errors, oversized heads and bodies and head timeouts are answered
// here (400, 408, 413, 417, 431, 501, 505, with Connection: close), counted
// and logged (at most one line a second), and the connection is closed after
// a lingering read, so that the client sees the answer rather than a reset.
//
// Limits (web_config.h): at most max_connections connections; when full, the
// one that has waited longest for a request head is closed to make room
// (none waiting: the newcomer is refused).
//
// Thread contract: Respond() from any thread; everything else runs on the
// loop's thread. The RequestSink is called on it and must not block.

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "agent/http/request_head.h"
#include "agent/http/web_config.h"

namespace vitals::http {

class TlsContext;

struct ConnectionStats {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::int64_t> waiting{0};  // connections waiting for a request head right now
  // Closed by the agent, by reason:
  std::atomic<std::uint64_t> evicted{0};            // to make room for a newer one
  std::atomic<std::uint64_t> header_timeouts{0};    // no complete head (or handshake) in time
  std::atomic<std::uint64_t> idle_timeouts{0};      // keep-alive with no next request in time
  std::atomic<std::uint64_t> request_timeouts{0};   // body not read or answer not taken in time
  std::atomic<std::uint64_t> headers_too_large{0};  // answered 431
  std::atomic<std::uint64_t> plain_http_on_tls{0};  // answered 400
  std::atomic<std::uint64_t> tls_handshake_errors{0};
  // Requests answered without reaching the server's routes:
  std::atomic<std::uint64_t> bad_requests{0};       // 400, 417, 501, 505
  std::atomic<std::uint64_t> bodies_too_large{0};   // 413
};

class ConnectionLoop {
 public:
  using RequestSink = std::function<void(std::uint64_t connection, std::unique_ptr<Request>)>;
  struct Options {
    int listener = -1;          // listening socket (Listen()); the loop owns it from Start
    TlsContext* tls = nullptr;  // null: plain HTTP; must outlive the loop
    Limits limits;
    ConnectionStats* stats = nullptr;  // must outlive the loop
    RequestSink on_request;
  };
  static std::variant<std::unique_ptr<ConnectionLoop>, std::string> Start(Options options);
  // Stops the thread: no more requests, answers or timeouts. Idempotent.
  void Stop();
  // Stops, then closes every connection.
  ~ConnectionLoop();
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  int port() const;
  // The answer to `connection`'s current request, as bytes (response.h's
  // Serialize); `keep_alive` false closes the connection after it. Ignored
  // when the connection is gone.
  void Respond(std::uint64_t connection, std::string bytes, bool keep_alive);

 private:
  struct Conn;
  enum class Phase { kHandshake, kIdle, kHead, kBody, kHandling, kWriting, kLingering };
  enum class Step { kAgain, kWait, kClosed };
  enum class Io { kData, kAgain, kEof, kError };
  struct Answer {
    std::uint64_t connection;
    std::string bytes;
    bool keep_alive;
  };

  explicit ConnectionLoop(Options options);
  void Run();
  void AcceptAll(std::int64_t now);
  void TakeAnswers(std::int64_t now);
  void Drive(Conn& c);
  Step Handshake(Conn& c);
  Step ReadHead(Conn& c);
  Step StartRequest(Conn& c, std::size_t head_end);
  Step ReadBody(Conn& c);
  Step Write(Conn& c);
  Step Linger(Conn& c);
  Step Refuse(Conn& c, int status, std::string_view reason, std::atomic<std::uint64_t>* counter);
  Step BodyTooLarge(Conn& c);  // 413
  void Dispatch(Conn& c);
  void StartLinger(Conn& c);
  void OnTimeout(Conn& c);
  Io Read(Conn& c, std::size_t max);
  Io Flush(Conn& c);
  void Close(Conn& c);
  void SetPhase(Conn& c, Phase phase);
  void SetDeadline(Conn& c, std::int64_t at);
  bool EvictOldestWaiting();
  int NextTimeoutMs(std::int64_t now) const;
  void LogRefusal(const Conn& c, int status, std::string_view reason);

  Options options_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: answers are waiting
  int stop_fd_ = -1;
  std::thread thread_;

  // Loop thread only:
  std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> conns_;
  std::set<std::pair<std::int64_t, std::uint64_t>> deadlines_;  // (when, connection)
  std::uint64_t next_id_ = 16;  // below: the listener's and the eventfds' epoll tags
  std::int64_t retry_accept_at_ = 0;  // after EMFILE and the like; 0: none
  std::vector<char> scratch_;
  std::int64_t last_log_ms_ = 0;
  std::uint64_t unlogged_ = 0;

  std::mutex answers_mutex_;  // guards answers_
  std::vector<Answer> answers_;
};

// A listening socket for `host`:`port`. An empty host, "0.0.0.0" or "::"
// listen on every address, IPv6 and IPv4 alike on one dual-stack socket (as
// Go's net.Listen does for node_exporter), or IPv4 only where the kernel has
// no IPv6. Returns the descriptor, or why not in one line.
std::variant<int, std::string> Listen(const std::string& host, int port);

}  // namespace vitals::http
