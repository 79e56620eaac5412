// libFuzzer target: a request as the web server's connection loop sees it
// (agent/http/connection_loop.cpp): leading empty lines skipped, the head's
// end found in two reads (so FindHeadEnd's resumed scan is exercised), the
// head parsed, and a chunked body decoded from the bytes after it. Checks
// what the server relies on: the head ends inside the input, a parsed path is
// "*" or starts with '/' and holds no control byte, chunked and a
// Content-Length never come together, the decoder stays within its limit and
// its input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/http/request_head.h"

namespace http = vitals::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  in.remove_prefix(http::LeadingEmptyLines(in));
  std::size_t scanned = 0;
  std::size_t end = http::FindHeadEnd(in.substr(0, in.size() / 2), &scanned);
  if (end == std::string_view::npos) {
    if (scanned > in.size() / 2) {
      std::abort();
    }
    end = http::FindHeadEnd(in, &scanned);
  }
  if (end == std::string_view::npos) {
    return 0;
  }
  if (end > in.size()) {
    std::abort();
  }
  auto parsed = http::Request::Parse(std::string(in.substr(0, end)));
  auto* request = std::get_if<std::unique_ptr<http::Request>>(&parsed);
  if (request == nullptr) {
    int status = std::get<http::HeadError>(parsed).status;
    if (status != 400 && status != 417 && status != 501 && status != 505) {
      std::abort();
    }
    return 0;
  }
  const http::RequestHead& head = (*request)->head();
  std::string_view path = head.path;
  if (path != "*" && (path.empty() || path.front() != '/')) {
    std::abort();
  }
  for (char c : path) {
    auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) {
      std::abort();
    }
  }
  if (head.chunked && head.content_length != 0) {
    std::abort();
  }
  if (head.chunked) {
    constexpr std::uint64_t kLimit = 4096;
    http::ChunkedDecoder decoder(kLimit);
    std::string body;
    std::string_view rest = in.substr(end);
    std::size_t used = 0;
    auto status = decoder.Feed(rest.substr(0, rest.size() / 3), &used, &body);
    if (status == http::ChunkedDecoder::Status::kMore) {
      std::size_t more = 0;
      decoder.Feed(rest.substr(used), &more, &body);
      used += more;
    }
    if (used > rest.size() || body.size() > kLimit) {
      std::abort();
    }
  }
  return 0;
}
