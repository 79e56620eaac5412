#pragma once
// RESP2, the Redis serialization protocol (https://redis.io/docs/reference/protocol-spec/):
// enough to send commands and read the replies of AUTH, PING and INFO.
// Pure functions on bytes, tested on inline strings.

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

struct RespParse {
  enum class Status { kComplete, kIncomplete, kInvalid };
  Status status = Status::kIncomplete;
  RespValue value;            // when complete
  std::size_t consumed = 0;   // bytes of the input the value took
  std::string error;          // when invalid
};

// Limits a probe enforces on what a server sends.
inline constexpr std::size_t kRespMaxBulk = 1 << 20;
inline constexpr std::size_t kRespMaxElements = 1024;
inline constexpr int kRespMaxDepth = 8;

// Parses the first reply at the front of `input`.
RespParse ParseResp(std::string_view input);

// *N\r\n$len\r\narg\r\n... (binary safe)
std::string EncodeRespCommand(std::span<const std::string> args);

}  // namespace vitals::probes
