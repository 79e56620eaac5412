#pragma once
// An HTTP/1.1 request head as RFC 9112 frames it, and a chunked body decoder:
// pure functions over bytes, no I/O, so they are unit-tested on inline
// strings and fuzzed (tests/fuzz/fuzz_http_request.cpp). The server reads
// bytes until FindHeadEnd() sees the blank line, hands the head to
// ParseRequestHead(), and reads the body the head announces.
//
// What is refused, and with which status (the connection is closed after
// each, since the message boundaries can no longer be trusted):
//   400  a malformed request line or header line; whitespace between a field
//        name and its colon; obs-fold; a bare CR, NUL or other control byte
//        (TAB is legal in values); Content-Length with Transfer-Encoding;
//        Content-Length values that differ or are not numbers; a
//        Transfer-Encoding whose last coding is not chunked, or any in
//        HTTP/1.0; HTTP/1.1 without exactly one Host; a target that is not
//        origin-form, absolute-form (http/https) or "*" for OPTIONS; a bad
//        %-escape, or NUL or another control byte in the decoded path.
//   417  an Expect other than 100-continue.
//   501  a transfer coding other than chunked.
//   505  an HTTP major version other than 1.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vitals::http {

// ASCII case-insensitive equality (header names, codings, schemes).
bool IEquals(std::string_view a, std::string_view b);

struct HeaderField {
  std::string_view name;   // as sent (compare case-insensitively)
  std::string_view value;  // without the surrounding whitespace
};

// Views point into the text given to ParseRequestHead; `path` is decoded.
struct RequestHead {
  std::string_view method;
  std::string_view target;  // as sent
  std::string path;         // %-decoded, dot segments removed; "*" for OPTIONS *
  std::string_view query;   // raw, without the '?'
  int minor_version = 1;    // HTTP/1.<minor>
  std::vector<HeaderField> headers;
  // From the headers:
  std::uint64_t content_length = 0;
  bool chunked = false;          // Transfer-Encoding: chunked (and no Content-Length)
  bool keep_alive = true;        // 1.1 unless "Connection: close"; 1.0 only with keep-alive
  bool expect_continue = false;  // Expect: 100-continue

  // The first field named `name` (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
};

struct HeadError {
  int status;          // 400, 417, 501 or 505
  std::string reason;  // one line for the client and the log
};

// A complete request as handlers see it: the parsed head and the body.
// Immutable once the server hands it to a handler.
class Request {
 public:
  // Parses a complete head (the bytes up to FindHeadEnd); the request keeps
  // them, and the head's views point into them.
  static std::variant<std::unique_ptr<Request>, HeadError> Parse(std::string head);
  Request(const Request&) = delete;  // the views must not outlive their bytes
  Request& operator=(const Request&) = delete;

  std::string_view method() const { return head_.method; }
  std::string_view path() const { return head_.path; }
  std::string_view query() const { return head_.query; }
  // The first header field named `name` (case-insensitive); empty when absent.
  std::string_view Header(std::string_view name) const { return head_.Header(name); }
  // At most Limits::max_body_bytes (the server refuses longer ones with 413).
  std::string_view body() const { return body_; }
  const RequestHead& head() const { return head_; }
  // True when the server checked this request's basic-auth credentials and
  // they were right (a protected path, or a route that checks credentials
  // when they are sent); handlers show more to such users.
  bool authenticated() const { return authenticated_; }
  std::string* mutable_body() { return &body_; }  // for the server, while it reads
  void set_authenticated() { authenticated_ = true; }  // for the server, before the handler

 private:
  Request() = default;
  std::string text_;
  RequestHead head_;
  std::string body_;
  bool authenticated_ = false;
};

// Where the head in `data` ends (just past its blank line), or npos. A line
// may end in CRLF or a bare LF (RFC 9112 2.2). `scanned` carries where the
// previous call stopped looking, so a head that trickles in is searched once.
std::size_t FindHeadEnd(std::string_view data, std::size_t* scanned);

// Bytes of empty lines before a request line, which RFC 9112 2.2 says a
// server should skip (clients send a CRLF after a POST body).
std::size_t LeadingEmptyLines(std::string_view data);

// Parses a complete head (request line, fields, blank line).
std::variant<RequestHead, HeadError> ParseRequestHead(std::string_view head);

// %-decodes a request path and removes its dot segments (RFC 3986 5.2.4).
// False on a malformed escape or a decoded NUL or other control byte.
bool DecodePath(std::string_view raw, std::string* out);

// Decodes a chunked body (RFC 9112 7.1) as its bytes arrive: data up to
// `max_body` bytes in all, chunk extensions and trailer fields skipped (each
// line bounded).
class ChunkedDecoder {
 public:
  enum class Status { kMore, kDone, kMalformed, kTooLarge };
  explicit ChunkedDecoder(std::uint64_t max_body) : max_body_(max_body) {}
  // Consumes bytes from `in` (at most up to the end of the body), appends
  // the data to `body`, sets `*consumed`.
  Status Feed(std::string_view in, std::size_t* consumed, std::string* body);

 private:
  enum class State { kSize, kLine, kData, kDataEnd, kTrailer, kDone };
  State state_ = State::kSize;
  std::uint64_t max_body_;
  std::uint64_t total_ = 0;
  std::uint64_t chunk_left_ = 0;
  int size_digits_ = 0;
  std::size_t line_bytes_ = 0;  // of the current size line or trailer line
  bool line_empty_ = true;      // the current trailer line has no byte yet
};

}  // namespace vitals::http
