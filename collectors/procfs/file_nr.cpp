#include "collectors/procfs/file_nr.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

namespace {
constexpr std::string_view kPath = "sys/fs/file-nr";
}

Result<FileNr> ParseFileNr(std::string_view text) {
  FileNr out;
  detail::Fields fields(text);
  std::uint64_t* slots[] = {&out.allocated, &out.unused, &out.maximum};
  for (std::uint64_t* slot : slots) {
    auto field = fields.Next();
    auto value = field ? detail::ToU64(*field) : std::nullopt;
    if (!value) {
      return ParseError(std::string(kPath), "expected three numbers, got \"" +
                                                std::string(detail::TrimSpace(text)) + "\"");
    }
    *slot = *value;
  }
  if (fields.Next()) {
    return ParseError(std::string(kPath), "expected three numbers, got more");
  }
  return out;
}

Result<FileNr> ReadFileNr(const ProcFs& fs, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadInto(kPath, buffer), buffer, ParseFileNr);
}

}  // namespace vitals::procfs
