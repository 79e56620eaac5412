#pragma once
// RESP2, the Redis serialization protocol (https://redis.io/docs/reference/protocol-spec/):
// enough to send commands and read the replies of AUTH, PING and INFO.
// Pure code on bytes, tested on inline strings.
//
// RespParser reads a reply incrementally: each byte is looked at once, in
// whatever chunks it arrives, so reading a reply costs time linear in its
// size. Limits bound what a server can make the probe hold.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vitals::probes {

struct RespValue {
  enum class Type { kSimple, kError, kInteger, kBulk, kNull, kArray };
  Type type = Type::kNull;
  std::string text;           // simple string, error, bulk string
  std::int64_t integer = 0;   // integer
  std::vector<RespValue> elements;  // array
};

// Limits on one reply. PING answers 7 bytes and INFO server about 1.5 KiB.
inline constexpr std::size_t kRespMaxReply = 1 << 20;  // bytes
inline constexpr std::size_t kRespMaxValues = 1024;    // values, nested ones included
inline constexpr int kRespMaxDepth = 8;                // arrays in arrays

class RespParser {
 public:
  enum class Status { kIncomplete, kComplete, kInvalid };

  // Reads bytes of the reply. Returns how many it used: all of `data` while
  // the reply is incomplete; up to its last byte once complete (the rest is
  // the next reply's); none once invalid.
  std::size_t Feed(std::string_view data);

  Status status() const { return status_; }
  const std::string& error() const { return error_; }  // when invalid
  std::size_t consumed() const { return consumed_; }  // bytes of the reply so far

  // The complete reply; the parser is then ready for the next one.
  RespValue Take();

 private:
  enum class State { kType, kLine, kBulk, kBulkEnd };
  struct Open {  // an array still receiving elements
    RespValue array;
    std::size_t missing;
  };

  void Fail(std::string error);
  void EndLine();              // a line is complete: a value, or the header of one
  void Complete(RespValue v);  // a value is complete: into its array, or the reply

  Status status_ = Status::kIncomplete;
  State state_ = State::kType;
  std::string error_;
  std::size_t consumed_ = 0;
  std::size_t values_ = 0;
  char type_ = 0;
  std::string line_;            // the current line, without its type byte
  RespValue bulk_;              // the bulk string being read
  std::size_t bulk_missing_ = 0;
  std::size_t crlf_seen_ = 0;   // of the CRLF after a bulk string
  std::vector<Open> open_;
  RespValue reply_;
};

// One-shot parse of the first reply at the front of `input` (tests, fuzzing).
struct RespParse {
  using Status = RespParser::Status;
  Status status = RespParser::Status::kIncomplete;
  RespValue value;            // when complete
  std::size_t consumed = 0;   // bytes of the input the value took
  std::string error;          // when invalid
};
RespParse ParseResp(std::string_view input);

// *N\r\n$len\r\narg\r\n... (binary safe)
std::string EncodeRespCommand(std::span<const std::string> args);

}  // namespace vitals::probes
