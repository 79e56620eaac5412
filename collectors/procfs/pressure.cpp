#include "collectors/procfs/pressure.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {

// "avg10=0.12 avg60=0.30 avg300=0.01 total=1234", in this order.
std::optional<PsiLine> ParseLine(detail::Fields& fields) {
  PsiLine out;
  struct Key { std::string_view name; double* value; };
  for (Key key : {Key{"avg10=", &out.avg10}, Key{"avg60=", &out.avg60}, Key{"avg300=", &out.avg300}}) {
    auto field = fields.Next();
    if (!field || field->substr(0, key.name.size()) != key.name) {
      return std::nullopt;
    }
    auto value = detail::ToDouble(field->substr(key.name.size()));
    if (!value) {
      return std::nullopt;
    }
    *key.value = *value;
  }
  auto total = fields.Next();
  if (!total || total->substr(0, 6) != "total=") {
    return std::nullopt;
  }
  auto value = detail::ToU64(total->substr(6));
  if (!value) {
    return std::nullopt;
  }
  out.total = *value;
  return out;
}

}  // namespace

Result<Psi> ParsePsi(std::string_view resource, std::string_view text) {
  Psi psi;
  detail::Lines lines(text);
  while (auto line = lines.Next()) {
    detail::Fields fields(*line);
    auto kind = fields.Next();
    if (!kind || (*kind != "some" && *kind != "full")) {
      continue;  // a kind a later kernel may add
    }
    auto parsed = ParseLine(fields);
    if (!parsed) {
      return ParseError("pressure/" + std::string(resource),
                        "expected \"" + std::string(*kind) +
                            " avg10=N avg60=N avg300=N total=N\", got \"" + std::string(*line) +
                            "\"");
    }
    (*kind == "some" ? psi.some : psi.full) = *parsed;
  }
  return psi;
}

Result<Psi> ReadPsi(const ProcFs& fs, std::string_view resource, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto("pressure/" + std::string(resource), buffer), buffer,
                             [resource](std::string_view text) { return ParsePsi(resource, text); });
}

}  // namespace vitals::procfs
