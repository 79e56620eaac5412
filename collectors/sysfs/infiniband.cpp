#include "collectors/sysfs/infiniband.h"

#include <charconv>
#include <cmath>

#include "collectors/procfs/go_text.h"
#include "collectors/procfs/parse_util.h"
#include "collectors/sysfs/attribute.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kClassDir = "class/infiniband";

// One of state, phys_state, rate: read whole (node_exporter does not cut
// these at 128 bytes), parsed by `parse`, an error naming the file if not.
template <class Parse>
auto ReadPortFile(const procfs::RootDir& port, std::string_view file, std::string& buffer, Parse parse)
    -> procfs::Result<typename decltype(parse(std::string_view()))::value_type> {
  auto text = port.ReadInto(file, buffer);
  if (!text) {
    procfs::Error error = text.error();
    error.path = (port.root() / file).string();
    return error;
  }
  if (auto value = parse(*text)) {
    return *value;
  }
  return procfs::ParseError((port.root() / file).string(),
                            "unexpected content \"" + std::string(procfs::detail::GoTrimSpace(*text)) + "\"");
}

// The counters of one port directory, counters/ and counters_ext/.
procfs::Result<void> ReadCounters(const procfs::RootDir& port, std::string& buffer,
                                  InfiniBandPort& out) {
  auto counters = port.OpenSubdir("counters");
  if (!counters) {
    return counters.error();  // node_exporter requires counters/
  }
  auto legacy = port.OpenSubdir("counters_ext");
  if (!legacy && legacy.error().code != procfs::Errc::kNotFound) {
    return legacy.error();
  }
  for (std::size_t i = 0; i < kInfiniBandCounterCount; ++i) {
    const InfiniBandCounterFile& counter = kInfiniBandCounters[i];
    out.counters[i].reset();
    const bool ext = counter.dir == "counters_ext";
    if (ext && !legacy) {
      continue;
    }
    const procfs::RootDir& dir = ext ? *legacy : *counters;
    auto value = ReadAttribute(dir, counter.file, buffer);
    if (!value) {
      if (IsUnsupported(value.error())) {
        continue;
      }
      return value.error();
    }
    auto number = ParseUintAttribute(dir, counter.file, *value);
    if (!number) {
      // Drivers without a PMA answer this (older kernels).
      if (value->find("N/A (no PMA)") != std::string_view::npos) {
        continue;
      }
      return number.error();
    }
    out.counters[i] = counter.per_lane ? *number * 4 : *number;  // wraps as Go's uint64
  }
  return {};
}

procfs::Result<InfiniBandPort> ReadPort(const procfs::RootDir& device, std::string_view name,
                                        std::string& buffer) {
  InfiniBandPort out;
  auto number = procfs::detail::FromChars<std::uint32_t>(name);
  if (!number) {
    return procfs::ParseError((device.root() / "ports").string(),
                              "port \"" + std::string(name) + "\" is not a number");
  }
  out.number = *number;
  auto port = device.OpenSubdir("ports/" + std::string(name));
  if (!port) {
    return port.error();
  }
  for (auto [file, field] : {std::pair{"state", &InfiniBandPort::state_id},
                             std::pair{"phys_state", &InfiniBandPort::phys_state_id}}) {
    auto id = ReadPortFile(*port, file, buffer, ParseInfiniBandState);
    if (!id) {
      return id.error();
    }
    out.*field = *id;
  }
  auto rate = ReadPortFile(*port, "rate", buffer, ParseInfiniBandRate);
  if (!rate) {
    return rate.error();
  }
  out.rate = *rate;
  if (auto counters = ReadCounters(*port, buffer, out); !counters) {
    return counters.error();
  }
  return out;
}

procfs::Result<InfiniBandDevice> ReadDevice(const procfs::RootDir& sys, std::string_view name,
                                            std::string& buffer) {
  InfiniBandDevice out;
  out.name.assign(name);
  auto device = sys.OpenSubdir(std::string(kClassDir) + "/" + std::string(name));
  if (!device) {
    return device.error();
  }
  for (auto [file, field] : {std::pair{"board_id", &InfiniBandDevice::board_id},
                             std::pair{"fw_ver", &InfiniBandDevice::firmware_version},
                             std::pair{"hca_type", &InfiniBandDevice::hca_type}}) {
    auto value = ReadAttribute(*device, file, buffer);
    if (!value) {
      // Not every driver has hca_type.
      if (std::string_view(file) == "hca_type" && value.error().code == procfs::Errc::kNotFound) {
        continue;
      }
      return value.error();
    }
    (out.*field).assign(*value);
  }
  auto ports = device->Entries("ports");
  if (!ports) {
    return ports.error();
  }
  for (const std::string& name_of_port : *ports) {
    auto port = ReadPort(*device, name_of_port, buffer);
    if (!port) {
      return port.error();
    }
    // "01" and "1" are one port to node_exporter (a map by number): the last listed.
    bool replaced = false;
    for (InfiniBandPort& seen : out.ports) {
      if (seen.number == port->number) {
        seen = *port;
        replaced = true;
      }
    }
    if (!replaced) {
      out.ports.push_back(*port);
    }
  }
  return out;
}

}  // namespace

std::optional<std::uint32_t> ParseInfiniBandState(std::string_view text) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return procfs::detail::FromChars<std::uint32_t>(procfs::detail::GoTrimSpace(text.substr(0, colon)));
}

std::optional<std::uint64_t> ParseInfiniBandRate(std::string_view text) {
  std::size_t space = text.find(' ');
  if (space == std::string_view::npos) {
    return std::nullopt;
  }
  // Go's ParseFloat(s, 32): the value rounded to a float32.
  std::string_view number = procfs::detail::GoTrimSpace(text.substr(0, space));
  float gigabits = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), gigabits);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(gigabits) || gigabits < 0) {
    return std::nullopt;
  }
  // Past 2^64 bytes/s Go's uint64() gives an arbitrary value (C++'s cast is
  // undefined): no link is that fast, so it is refused.
  const double bytes = static_cast<double>(gigabits) * 125000000;
  if (bytes >= 18446744073709551616.0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(bytes);
}

procfs::Result<std::vector<InfiniBandDevice>> ReadInfiniBand(const procfs::RootDir& sys,
                                                             std::string& buffer) {
  auto devices = ReadClass<InfiniBandDevice>(
      sys, kClassDir, [&](const std::string& name) { return ReadDevice(sys, name, buffer); });
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return devices;
}

}  // namespace vitals::sysfs
