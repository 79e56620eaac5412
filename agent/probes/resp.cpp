#include "agent/probes/resp.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace vitals::probes {

namespace {

bool ParseInteger(std::string_view text, std::int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

std::string Quote(std::string_view line) { return "\"" + std::string(line.substr(0, 32)) + "\""; }

}  // namespace

void RespParser::Fail(std::string error) {
  status_ = Status::kInvalid;
  error_ = std::move(error);
}

std::size_t RespParser::Feed(std::string_view data) {
  const std::size_t before = consumed_;
  while (!data.empty() && status_ == Status::kIncomplete) {
    if (consumed_ >= kRespMaxReply) {
      Fail("reply longer than " + std::to_string(kRespMaxReply) + " bytes");
      break;
    }
    std::size_t step = 1;  // bytes of `data` this state takes
    switch (state_) {
      case State::kType:
        type_ = data[0];
        if (type_ == '\0' || std::strchr("+-:$*", type_) == nullptr) {
          static constexpr char kHex[] = "0123456789abcdef";
          const auto byte = static_cast<unsigned char>(type_);
          Fail(std::string("unknown reply type byte 0x") + kHex[byte >> 4] + kHex[byte & 15] +
               " (is this a Redis server?)");
        }
        line_.clear();
        state_ = State::kLine;
        break;
      case State::kLine: {
        // Up to the next '\n' (within what a reply may hold); the line ends
        // at the first CRLF.
        const std::size_t window = std::min(data.size(), kRespMaxReply - consumed_);
        const void* nl = std::memchr(data.data(), '\n', window);
        step = nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - data.data()) + 1
                             : window;
        line_.append(data.substr(0, step));
        if (nl != nullptr && line_.size() >= 2 && line_[line_.size() - 2] == '\r') {
          line_.resize(line_.size() - 2);
          consumed_ += step;  // EndLine looks at how much is left
          data.remove_prefix(step);
          EndLine();
          continue;
        }
        break;
      }
      case State::kBulk:
        step = std::min(bulk_missing_, data.size());
        bulk_.text.append(data.substr(0, step));
        bulk_missing_ -= step;
        if (bulk_missing_ == 0) {
          state_ = State::kBulkEnd;
        }
        break;
      case State::kBulkEnd:
        if (data[0] != "\r\n"[crlf_seen_]) {
          Fail("bulk string not followed by CRLF");
        } else if (++crlf_seen_ == 2) {
          Complete(std::move(bulk_));
        }
        break;
    }
    consumed_ += step;
    data.remove_prefix(step);
  }
  return consumed_ - before;
}

void RespParser::EndLine() {
  if (++values_ > kRespMaxValues) {
    Fail("more than " + std::to_string(kRespMaxValues) + " values in one reply");
    return;
  }
  RespValue v;
  std::int64_t n = 0;
  switch (type_) {
    case '+':
    case '-':
      v.type = type_ == '+' ? RespValue::Type::kSimple : RespValue::Type::kError;
      v.text = std::move(line_);
      Complete(std::move(v));
      return;
    case ':':
      if (!ParseInteger(line_, &v.integer)) {
        Fail("integer reply " + Quote(line_) + " is not a number");
        return;
      }
      v.type = RespValue::Type::kInteger;
      Complete(std::move(v));
      return;
    case '$':
      if (!ParseInteger(line_, &n) || n < -1) {
        Fail("bulk length " + Quote(line_) + " is not valid");
      } else if (n == -1) {
        Complete(std::move(v));  // the null bulk string
      } else if (static_cast<std::uint64_t>(n) + 2 > kRespMaxReply - consumed_) {
        Fail("a bulk string of " + std::to_string(n) + " bytes makes the reply longer than " +
             std::to_string(kRespMaxReply) + " bytes");
      } else {
        bulk_ = RespValue{RespValue::Type::kBulk, {}, 0, {}};
        bulk_.text.reserve(static_cast<std::size_t>(n));
        bulk_missing_ = static_cast<std::size_t>(n);
        crlf_seen_ = 0;
        state_ = n == 0 ? State::kBulkEnd : State::kBulk;
      }
      return;
    case '*':
      if (!ParseInteger(line_, &n) || n < -1) {
        Fail("array length " + Quote(line_) + " is not valid");
      } else if (n == -1) {
        Complete(std::move(v));  // the null array
      } else if (static_cast<std::uint64_t>(n) > kRespMaxValues) {
        Fail("array of " + std::to_string(n) + " elements, more than " +
             std::to_string(kRespMaxValues));
      } else if (open_.size() >= static_cast<std::size_t>(kRespMaxDepth)) {
        Fail("arrays nested deeper than " + std::to_string(kRespMaxDepth));
      } else {
        v.type = RespValue::Type::kArray;
        if (n == 0) {
          Complete(std::move(v));
        } else {
          open_.push_back({std::move(v), static_cast<std::size_t>(n)});
          state_ = State::kType;
        }
      }
      return;
  }
}

void RespParser::Complete(RespValue v) {
  state_ = State::kType;
  while (!open_.empty()) {
    Open& top = open_.back();
    top.array.elements.push_back(std::move(v));
    if (--top.missing > 0) {
      return;
    }
    v = std::move(top.array);
    open_.pop_back();
  }
  reply_ = std::move(v);
  status_ = Status::kComplete;
}

RespValue RespParser::Take() {
  RespValue out = std::move(reply_);
  *this = RespParser();
  return out;
}

RespParse ParseResp(std::string_view input) {
  RespParser parser;
  RespParse out;
  out.consumed = parser.Feed(input);
  out.status = parser.status();
  out.error = parser.error();
  if (out.status == RespParser::Status::kComplete) {
    out.value = parser.Take();
  }
  return out;
}

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
