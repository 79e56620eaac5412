#include "collectors/sysfs/edac.h"

#include "collectors/sysfs/attribute.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kDir = "devices/system/edac/mc";

// "12" of "mc12abc": the digits after the prefix (node_exporter's regexp
// mc([0-9]*) on the path).
std::string Number(std::string_view name, std::string_view prefix) {
  name.remove_prefix(prefix.size());
  std::size_t digits = 0;
  while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') {
    ++digits;
  }
  return std::string(name.substr(0, digits));
}

}  // namespace

procfs::Result<std::vector<EdacController>> ReadEdac(const procfs::RootDir& sys,
                                                     std::string& buffer) {
  auto controllers = NumberedEntries(sys, kDir, "mc");
  if (!controllers) {
    return controllers.error();
  }
  std::vector<EdacController> out;
  std::string dir;
  std::string path;
  auto read = [&](std::string_view in, std::string_view file, std::uint64_t& into) {
    path.assign(in).append("/").append(file);
    auto value = ReadUintAttribute(sys, path, buffer);
    if (value) {
      into = *value;
    }
    return value;
  };
  for (const std::string& name : *controllers) {
    dir.assign(kDir).append("/").append(name);
    EdacController mc;
    mc.number = Number(name, "mc");
    for (auto [file, into] : {std::pair{"ce_count", &mc.correctable},
                              std::pair{"ce_noinfo_count", &mc.correctable_noinfo},
                              std::pair{"ue_count", &mc.uncorrectable},
                              std::pair{"ue_noinfo_count", &mc.uncorrectable_noinfo}}) {
      if (auto value = read(dir, file, *into); !value) {
        return value.error();
      }
    }
    auto csrows = NumberedEntries(sys, dir, "csrow");
    if (!csrows) {
      return csrows.error();
    }
    for (const std::string& csrow_name : *csrows) {
      const std::string csrow_dir = dir + "/" + csrow_name;
      EdacCsrow csrow;
      csrow.number = Number(csrow_name, "csrow");
      if (auto value = read(csrow_dir, "ce_count", csrow.correctable); !value) {
        return value.error();
      }
      if (auto value = read(csrow_dir, "ue_count", csrow.uncorrectable); !value) {
        return value.error();
      }
      mc.csrows.push_back(std::move(csrow));
    }
    out.push_back(std::move(mc));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
