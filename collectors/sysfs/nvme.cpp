#include "collectors/sysfs/nvme.h"

#include "collectors/sysfs/attribute.h"
#include "text/utf8.h"

namespace vitals::sysfs {

namespace {
constexpr std::string_view kDir = "class/nvme";
}

procfs::Result<std::vector<NvmeController>> ReadNvme(const procfs::RootDir& sys,
                                                     std::string& buffer) {
  auto names = sys.Entries(kDir);
  if (!names) {
    return names.error();
  }
  std::vector<NvmeController> out;
  std::string path;
  for (const std::string& name : *names) {
    NvmeController controller;
    controller.name = text::GoToValidUtf8(name);
    for (auto [file, into] : {std::pair{"firmware_rev", &controller.firmware_revision},
                              std::pair{"model", &controller.model},
                              std::pair{"serial", &controller.serial},
                              std::pair{"state", &controller.state}}) {
      path.assign(kDir).append("/").append(name).append("/").append(file);
      auto text = ReadAttribute(sys, path, buffer);
      if (!text) {
        return text.error();
      }
      *into = text::GoToValidUtf8(*text);
    }
    out.push_back(std::move(controller));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
