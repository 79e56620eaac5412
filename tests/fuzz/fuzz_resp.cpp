// libFuzzer target: the RESP2 reply parser the redis probe runs on whatever a
// server sends (agent/probes/resp.h). It must stay inside its limits
// (reply size, value count, nesting depth), never read past the input, and
// reach the same result whatever chunks the input arrives in.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/probes/resp.h"

namespace {

using vitals::probes::RespParse;
using vitals::probes::RespParser;
using vitals::probes::RespValue;

bool Same(const RespValue& a, const RespValue& b) {
  if (a.type != b.type || a.text != b.text || a.integer != b.integer ||
      a.elements.size() != b.elements.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.elements.size(); ++i) {
    if (!Same(a.elements[i], b.elements[i])) {
      return false;
    }
  }
  return true;
}

int Depth(const RespValue& v) {
  int depth = 0;
  for (const auto& e : v.elements) {
    int d = Depth(e);
    depth = d > depth ? d : depth;
  }
  return depth + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  RespParse r = vitals::probes::ParseResp(input);
  if (r.status == RespParse::Status::kComplete) {
    if (r.consumed == 0 || r.consumed > input.size()) {
      std::abort();
    }
    if (Depth(r.value) > vitals::probes::kRespMaxDepth + 1) {
      std::abort();
    }
    // A complete reply parses the same when more bytes follow it.
    std::string longer(input.substr(0, r.consumed));
    longer += "+OK\r\n";
    RespParse again = vitals::probes::ParseResp(longer);
    if (again.status != RespParse::Status::kComplete || again.consumed != r.consumed) {
      std::abort();
    }
  }
  // The same input in chunks of 1 to 8 bytes (sizes taken from the input).
  RespParser parser;
  std::size_t used = 0;
  for (std::size_t pos = 0; pos < size && parser.status() == RespParser::Status::kIncomplete;) {
    const std::size_t chunk = std::min<std::size_t>(1 + data[pos] % 8, size - pos);
    used += parser.Feed(input.substr(pos, chunk));
    pos += chunk;
  }
  if (parser.status() != r.status) {
    std::abort();
  }
  if (r.status == RespParse::Status::kComplete &&
      (used != r.consumed || !Same(parser.Take(), r.value))) {
    std::abort();
  }
  return 0;
}
