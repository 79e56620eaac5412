#include "collectors/sysfs/scsi_tape.h"

#include <algorithm>

#include "collectors/sysfs/attribute.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kDir = "class/scsi_tape";

// ^st[0-9]+$
bool IsTape(std::string_view name) {
  return name.size() > 2 && name.substr(0, 2) == "st" &&
         std::all_of(name.begin() + 2, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

procfs::Result<std::vector<ScsiTape>> ReadScsiTapes(const procfs::RootDir& sys,
                                                    std::string& buffer) {
  auto names = sys.Entries(kDir);
  if (!names) {
    return names.error();
  }
  std::vector<ScsiTape> out;
  std::string path;
  for (const std::string& name : *names) {
    if (!IsTape(name)) {
      continue;
    }
    const std::string dir = std::string(kDir) + "/" + name + "/stats";
    auto files = sys.Entries(dir);
    if (!files) {
      return files.error();
    }
    ScsiTape tape;
    tape.name = name;
    const std::pair<std::string_view, std::uint64_t*> counters[] = {
        {"in_flight", &tape.in_flight},         {"io_ns", &tape.io_ns},
        {"other_cnt", &tape.other_cnt},         {"read_byte_cnt", &tape.read_byte_cnt},
        {"read_cnt", &tape.read_cnt},           {"read_ns", &tape.read_ns},
        {"resid_cnt", &tape.resid_cnt},         {"write_byte_cnt", &tape.write_byte_cnt},
        {"write_cnt", &tape.write_cnt},         {"write_ns", &tape.write_ns}};
    std::size_t found = 0;
    for (const std::string& file : *files) {
      path.assign(dir).append("/").append(file);
      auto text = ReadAttribute(sys, path, buffer);
      if (!text) {
        return text.error().code == procfs::Errc::kNotFound
                   ? procfs::Error{procfs::Errc::kIo, path, "listed but gone: " + text.error().detail}
                   : text.error();
      }
      auto counter = std::find_if(std::begin(counters), std::end(counters),
                                  [&file](const auto& c) { return c.first == file; });
      if (counter == std::end(counters)) {
        continue;
      }
      auto value = ParseUintAttribute(sys, path, *text);
      if (!value) {
        return value.error();
      }
      *counter->second = *value;
      ++found;
    }
    if (found != std::size(counters)) {
      // node_exporter would report 0 for a missing counter; a tape driver
      // always writes all ten, so this tree is broken: say so.
      for (const auto& counter : counters) {
        if (std::find(files->begin(), files->end(), counter.first) == files->end()) {
          return procfs::ParseError(dir, "no " + std::string(counter.first) + " counter");
        }
      }
    }
    out.push_back(std::move(tape));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
