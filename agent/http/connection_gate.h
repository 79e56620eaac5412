#pragma once
// ConnectionGate: keeps slow, idle and oversized clients away from CivetWeb's
// worker threads, so that they cannot starve a scrape.
//
// CivetWeb serves one connection per worker thread from the moment it accepts
// it. A thousand clients that connect and send nothing (or one byte every few
// seconds) would hold every worker until its timeout while a real scrape
// waits in the queue behind them. The gate takes the listening socket away
// from CivetWeb and accepts connections itself, on one epoll thread that holds
// each one for the price of a file descriptor, until its request head has
// fully arrived (plain HTTP: the blank line that ends the headers; TLS: the
// whole first ClientHello record). Only then does CivetWeb's accept() get it.
//
//   - Waiting connections are bounded (Limits::max_connections): when full,
//     the one that has waited longest is closed to make room, so a flood can
//     delay a real client by one round trip at most, never lock it out.
//   - A connection that has not sent its request head within
//     Limits::header_timeout is closed (slowloris, silent clients).
//   - A plain-HTTP request head longer than Limits::max_header_bytes gets
//     431; plain HTTP on a TLS port gets a readable 400 instead of a handshake
//     error.
//
// How CivetWeb is made to take connections from us (it has no API for it):
// its listening descriptor number is re-pointed (dup3) at an eventfd that is
// readable while complete connections wait, and the process's accept() — which
// libcivetweb imports from libc and the vitals executable interposes (see
// connection_gate.cpp) — hands the next complete connection to CivetWeb when
// called on that descriptor. accept() on any other descriptor is libc's.
// Thread contract: one gate thread; Pop() runs on CivetWeb's master thread;
// waiting() from any thread. mutex_ guards the connection tables.

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unordered_map>
#include <variant>

#include "agent/http/web_config.h"

namespace vitals::http {

struct GateStats {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> handed_over{0};
  std::atomic<std::uint64_t> evicted{0};           // closed to make room for a newer one
  std::atomic<std::uint64_t> header_timeouts{0};   // no complete request head in time
  std::atomic<std::uint64_t> headers_too_large{0}; // answered 431
  std::atomic<std::uint64_t> plain_http_on_tls{0}; // answered 400
  std::atomic<std::int64_t> waiting{0};            // connections held right now
};

class ConnectionGate {
 public:
  struct Options {
    bool tls = false;
    Limits limits;
    GateStats* stats = nullptr;  // must outlive the gate; null: counted privately
  };
  // Takes over `listener_fd` (CivetWeb's listening socket, already listening).
  static std::variant<std::unique_ptr<ConnectionGate>, std::string> Start(int listener_fd,
                                                                          const Options& options);
  // Stops the thread and closes every connection still waiting; the real
  // listening socket is closed too. Call before mg_stop().
  ~ConnectionGate();
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  // Before mg_stop(): keeps CivetWeb's listening descriptor readable so its
  // master thread wakes at once and sees the stop flag (it polls for up to 2 s).
  void PrepareStop();

  // Connections accepted but not yet handed to CivetWeb.
  std::size_t waiting() const { return static_cast<std::size_t>(stats_->waiting.load()); }

  // For the accept() interposer: the next complete connection, or -1 with
  // errno EAGAIN. Fills `addr` like accept(2).
  int Pop(sockaddr* addr, socklen_t* addrlen);

 private:
  struct Conn {
    std::uint64_t seq = 0;  // tells a reused descriptor number from the old one
    std::int64_t accepted_ms = 0;
    bool complete = false;
  };
  explicit ConnectionGate(const Options& options);
  void Run();
  void AcceptAll();
  void Inspect(int fd);                       // mutex_ held
  void Close(int fd, std::atomic<std::uint64_t>* counter);  // mutex_ held; counter may be null
  // Best-effort short reply, then Close.
  void Reject(int fd, std::string_view response, std::atomic<std::uint64_t>* counter);
  void ExpireOld(std::int64_t now_ms);         // mutex_ held
  void Arm();                                  // mutex_ held
  bool EvictOldestIncomplete();                // mutex_ held

  Options options_;
  GateStats own_stats_;
  GateStats* stats_;
  int listener_fd_ = -1;  // CivetWeb's descriptor number, now our eventfd
  int real_fd_ = -1;      // the listening socket
  int event_fd_ = -1;     // readable while ready_ is not empty
  int epoll_fd_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;
  std::string peek_;  // gate thread only

  std::mutex mutex_;
  bool stopping_ = false;  // Pop() hands out nothing once set
  // The gate accepts from the listening socket only once CivetWeb's master no
  // longer polls it: a poll() that began before the dup3 keeps watching the
  // socket (up to 2 s). The first accept() after the swap proves the master
  // moved on; so does the end of its longest poll (kArmAfter).
  bool armed_ = false;
  std::int64_t swapped_ms_ = 0;
  std::unordered_map<int, Conn> conns_;  // every connection held, complete or not
  std::uint64_t next_seq_ = 0;
  std::deque<std::pair<int, std::uint64_t>> order_;  // accept order; stale entries skipped
  std::deque<int> ready_;                // complete, in the order they completed
};

}  // namespace vitals::http
