// libFuzzer target: the RESP2 reply parser the redis probe runs on whatever a
// server sends (collectors/probes/resp.h). It must stay inside its limits
// (bulk size, element count, nesting depth) and never read past the input.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/probes/resp.h"

namespace {

using vitals::probes::RespParse;
using vitals::probes::RespValue;

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
  return 0;
}
