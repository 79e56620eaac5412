#include "collectors/procfs/pid_io.h"

#include <string>

#include "collectors/procfs/parse_util.h"

namespace vitals::procfs {

Result<PidIo> ParsePidIo(std::string_view text) {
  constexpr std::string_view kPath = "<pid>/io";
  PidIo out;
  struct Field { std::string_view key; std::uint64_t* value; };
  const Field fields[] = {{"rchar", &out.rchar}, {"wchar", &out.wchar}, {"syscr", &out.syscr},
                          {"syscw", &out.syscw}, {"read_bytes", &out.read_bytes},
                          {"write_bytes", &out.write_bytes},
                          {"cancelled_write_bytes", &out.cancelled_write_bytes}};
  unsigned seen = 0;
  detail::KeyValueLines lines(text);
  while (auto line = lines.Next()) {
    for (unsigned i = 0; i < std::size(fields); ++i) {
      if (line->key != fields[i].key) {
        continue;
      }
      const std::string_view trimmed = detail::TrimSpace(line->value);
      auto value = detail::ToU64(trimmed);
      if (!value) {
        return ParseError(std::string(kPath), "field \"" + std::string(line->key) + "\": \"" +
                                                  std::string(trimmed) + "\" is not a number");
      }
      *fields[i].value = *value;
      seen |= 1u << i;
    }
  }
  for (unsigned i = 0; i < std::size(fields); ++i) {
    if ((seen & (1u << i)) == 0) {
      return ParseError(std::string(kPath), "missing field \"" + std::string(fields[i].key) +
                                                "\" (truncated file?)");
    }
  }
  return out;
}

Result<PidIo> ReadPidIo(const ProcFs& fs, int pid, std::string& buffer) {
  return ParseReadAndRelease(fs.ReadPidFile(pid, "io", buffer), buffer, ParsePidIo);
}

}  // namespace vitals::procfs
