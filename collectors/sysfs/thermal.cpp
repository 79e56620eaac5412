#include "collectors/sysfs/thermal.h"

#include <cerrno>
#include <optional>

#include "collectors/procfs/go_text.h"
#include "collectors/sysfs/attribute.h"
#include "text/utf8.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kDir = "class/thermal";

bool Absent(const procfs::Error& error) {
  return error.code == procfs::Errc::kNotFound || error.code == procfs::Errc::kPermission;
}

// One zone, or nullopt when the kernel says ENODATA for it.
procfs::Result<std::optional<ThermalZone>> ReadZone(const procfs::RootDir& sys,
                                                    const std::string& dir, std::string& buffer) {
  std::string path;
  auto attribute = [&](std::string_view file) {
    path.assign(dir).append("/").append(file);
    return path;
  };
  ThermalZone zone;
  auto type = ReadAttribute(sys, attribute("type"), buffer);
  if (!type) {
    return type.error();
  }
  zone.type = text::GoToValidUtf8(*type);  // a label value
  auto policy = ReadAttribute(sys, attribute("policy"), buffer);
  if (!policy) {
    return policy.error();
  }
  auto temp = ReadIntAttribute(sys, attribute("temp"), buffer);
  if (!temp) {
    return temp.error();
  }
  zone.temp = *temp;
  // Optional: read for their errors only.
  if (auto mode = ReadAttribute(sys, attribute("mode"), buffer); !mode && !Absent(mode.error())) {
    return mode.error();
  }
  if (auto passive = ReadUintAttribute(sys, attribute("passive"), buffer);
      !passive && !Absent(passive.error())) {
    return passive.error();
  }
  return std::optional<ThermalZone>(std::move(zone));
}

}  // namespace

procfs::Result<std::vector<ThermalZone>> ReadThermalZones(const procfs::RootDir& sys,
                                                          std::string& buffer) {
  auto names = NumberedEntries(sys, kDir, "thermal_zone");
  if (!names) {
    return names.error();
  }
  std::vector<ThermalZone> out;
  for (const std::string& name : *names) {
    auto zone = ReadZone(sys, std::string(kDir) + "/" + name, buffer);
    if (!zone) {
      if (zone.error().sys_errno == ENODATA) {
        continue;
      }
      return zone.error();
    }
    (*zone)->zone = text::GoToValidUtf8(std::string_view(name).substr(12));
    out.push_back(std::move(**zone));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

procfs::Result<std::vector<CoolingDevice>> ReadCoolingDevices(const procfs::RootDir& sys,
                                                              std::string& buffer) {
  auto names = NumberedEntries(sys, kDir, "cooling_device");
  if (!names) {
    return names.error();
  }
  std::vector<CoolingDevice> out;
  std::string path;
  for (const std::string& name : *names) {
    const std::string dir = std::string(kDir) + "/" + name;
    CoolingDevice device;
    device.name = text::GoToValidUtf8(std::string_view(name).substr(14));
    auto type = ReadAttribute(sys, dir + "/type", buffer);
    if (!type) {
      return type.error();
    }
    device.type = text::GoToValidUtf8(*type);
    for (auto [file, into] : {std::pair{"max_state", &device.max_state},
                              std::pair{"cur_state", &device.cur_state}}) {
      path = dir + "/" + file;
      auto text = ReadAttribute(sys, path, buffer);
      if (!text) {
        return text.error();
      }
      auto value = procfs::detail::GoParseInt(*text, 10);
      if (!value) {
        return AttributeError(sys, path, "a decimal number", *text);
      }
      *into = *value;
    }
    out.push_back(std::move(device));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
