#include "collectors/sysfs/fibre_channel.h"

#include "collectors/sysfs/attribute.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kClassDir = "class/fc_host";

// World-wide names and port ids are printed "0x...": node_exporter keeps
// what follows the first two characters.
bool CutsPrefix(std::size_t attribute) {
  return attribute == kFcNodeName || attribute == kFcPortId || attribute == kFcPortName ||
         attribute == kFcFabricName;
}

procfs::Result<FibreChannelHost> ReadHost(const procfs::RootDir& sys, std::string_view name,
                                          std::string& buffer) {
  FibreChannelHost out;
  out.name.assign(name);
  auto host = sys.OpenSubdir(std::string(kClassDir) + "/" + std::string(name));
  if (!host) {
    // node_exporter reads the attributes first; a host that is not a
    // directory fails there, not as "no data".
    procfs::Error error = host.error();
    if (error.code == procfs::Errc::kNotFound) {
      error.code = procfs::Errc::kIo;
    }
    return error;
  }
  for (std::size_t i = 0; i < kFcAttributeCount; ++i) {
    auto value = ReadAttribute(*host, kFibreChannelAttributes[i], buffer);
    if (!value) {
      procfs::Error error = value.error();
      // Every attribute is required, and its absence is a failure for
      // node_exporter, not "no data".
      if (error.code == procfs::Errc::kNotFound) {
        error.code = procfs::Errc::kIo;
        error.detail = "required attribute is absent";
      }
      return error;
    }
    std::string_view text = *value;
    if (CutsPrefix(i) && text.size() > 2) {
      text.remove_prefix(2);
    }
    out.attributes[i].assign(text);
  }
  auto statistics = host->OpenSubdir("statistics");
  if (!statistics) {
    return statistics.error();
  }
  for (std::size_t i = 0; i < kFibreChannelCounterCount; ++i) {
    auto value = ReadAttribute(*statistics, kFibreChannelCounters[i], buffer);
    if (!value) {
      if (IsAbsentOrUnsupported(value.error())) {
        continue;
      }
      return value.error();
    }
    auto number = ParseUintAttribute(*statistics, kFibreChannelCounters[i], *value);
    if (!number) {
      return number.error();
    }
    out.counters[i] = *number;
  }
  return out;
}

}  // namespace

const std::string_view kFibreChannelAttributes[kFcAttributeCount] = {
    "speed",     "port_state",   "port_type",     "node_name",         "port_id",          "port_name",
    "fabric_name", "dev_loss_tmo", "symbolic_name", "supported_classes", "supported_speeds",
};

procfs::Result<std::vector<FibreChannelHost>> ReadFibreChannel(const procfs::RootDir& sys,
                                                               std::string& buffer) {
  auto hosts = ReadClass<FibreChannelHost>(
      sys, kClassDir, [&](const std::string& name) { return ReadHost(sys, name, buffer); });
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return hosts;
}

}  // namespace vitals::sysfs
