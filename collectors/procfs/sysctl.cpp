#include "collectors/procfs/sysctl.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

Result<std::uint64_t> ParseSysctlNumber(std::string_view path, std::string_view text) {
  auto value = detail::ToU64(detail::TrimSpace(text));
  if (!value) {
    return ParseError(std::string(path), "expected one number, got \"" +
                                             std::string(detail::TrimSpace(text)) + "\"");
  }
  return *value;
}

Result<std::uint64_t> ReadSysctlNumber(const ProcFs& fs, std::string_view relative_path,
                                       std::string& buffer) {
  auto text = fs.ReadInto(relative_path, buffer);
  if (!text) {
    return text.error();
  }
  auto value = ParseSysctlNumber(relative_path, *text);
  ProcFs::ReleaseLargeBuffer(buffer);  // the result does not view the text
  return value;
}

}  // namespace vitals::procfs
