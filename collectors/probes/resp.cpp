#include "collectors/probes/resp.h"

#include <charconv>

namespace vitals::probes {

namespace {

using Status = RespParse::Status;
using Type = RespValue::Type;

RespParse Invalid(std::string error) {
  RespParse p;
  p.status = Status::kInvalid;
  p.error = std::move(error);
  return p;
}

// The line after the type byte, without CRLF; npos when not complete yet.
std::size_t LineEnd(std::string_view input) { return input.find("\r\n", 1); }

bool ParseInteger(std::string_view text, std::int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

RespParse Parse(std::string_view input, int depth) {
  if (depth > kRespMaxDepth) {
    return Invalid("arrays nested deeper than " + std::to_string(kRespMaxDepth));
  }
  if (input.empty()) {
    return {};
  }
  const char type = input[0];
  const std::size_t end = LineEnd(input);
  if (end == std::string_view::npos) {
    if (input.size() > kRespMaxBulk) {
      return Invalid("a line longer than " + std::to_string(kRespMaxBulk) + " bytes");
    }
    return {};
  }
  const std::string_view line = input.substr(1, end - 1);
  const std::size_t after = end + 2;
  RespParse p;
  p.status = Status::kComplete;
  switch (type) {
    case '+':
    case '-':
      p.value.type = type == '+' ? Type::kSimple : Type::kError;
      p.value.text = std::string(line);
      p.consumed = after;
      return p;
    case ':':
      p.value.type = Type::kInteger;
      if (!ParseInteger(line, &p.value.integer)) {
        return Invalid("integer reply \"" + std::string(line.substr(0, 32)) + "\" is not a number");
      }
      p.consumed = after;
      return p;
    case '$': {
      std::int64_t length = 0;
      if (!ParseInteger(line, &length) || length < -1) {
        return Invalid("bulk length \"" + std::string(line.substr(0, 32)) + "\" is not valid");
      }
      if (length == -1) {
        p.value.type = Type::kNull;
        p.consumed = after;
        return p;
      }
      if (static_cast<std::uint64_t>(length) > kRespMaxBulk) {
        return Invalid("bulk string of " + std::to_string(length) + " bytes, more than " +
                       std::to_string(kRespMaxBulk));
      }
      const auto n = static_cast<std::size_t>(length);
      if (input.size() < after + n + 2) {
        return {};
      }
      if (input.substr(after + n, 2) != "\r\n") {
        return Invalid("bulk string not followed by CRLF");
      }
      p.value.type = Type::kBulk;
      p.value.text = std::string(input.substr(after, n));
      p.consumed = after + n + 2;
      return p;
    }
    case '*': {
      std::int64_t count = 0;
      if (!ParseInteger(line, &count) || count < -1) {
        return Invalid("array length \"" + std::string(line.substr(0, 32)) + "\" is not valid");
      }
      if (count == -1) {
        p.value.type = Type::kNull;
        p.consumed = after;
        return p;
      }
      if (static_cast<std::uint64_t>(count) > kRespMaxElements) {
        return Invalid("array of " + std::to_string(count) + " elements, more than " +
                       std::to_string(kRespMaxElements));
      }
      p.value.type = Type::kArray;
      std::size_t pos = after;
      for (std::int64_t i = 0; i < count; ++i) {
        RespParse element = Parse(input.substr(pos), depth + 1);
        if (element.status != Status::kComplete) {
          return element;
        }
        pos += element.consumed;
        p.value.elements.push_back(std::move(element.value));
      }
      p.consumed = pos;
      return p;
    }
    default:
      return Invalid("unknown reply type byte 0x" +
                     std::string(1, "0123456789abcdef"[(static_cast<unsigned char>(type) >> 4)]) +
                     std::string(1, "0123456789abcdef"[static_cast<unsigned char>(type) & 15]) +
                     " (is this a Redis server?)");
  }
}

}  // namespace

RespParse ParseResp(std::string_view input) { return Parse(input, 0); }

std::string EncodeRespCommand(std::span<const std::string> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& arg : args) {
    out += "$" + std::to_string(arg.size()) + "\r\n";
    out += arg;
    out += "\r\n";
  }
  return out;
}

}  // namespace vitals::probes
