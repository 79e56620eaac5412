#include "collectors/sysfs/power_supply.h"

#include <algorithm>
#include <cerrno>

#include "collectors/sysfs/attribute.h"
#include "text/utf8.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kDir = "class/power_supply";

// procfs v0.8.0's PowerSupply fields, sorted: the numeric ones and the text ones.
constexpr std::string_view kNumbers[] = {
    "authentic", "calibrate", "capacity", "capacity_alert_max", "capacity_alert_min",
    "charge_avg", "charge_control_limit", "charge_control_limit_max", "charge_counter",
    "charge_empty", "charge_empty_design", "charge_full", "charge_full_design", "charge_now",
    "charge_term_current", "constant_charge_current", "constant_charge_current_max",
    "constant_charge_voltage", "constant_charge_voltage_max", "current_avg", "current_boot",
    "current_max", "current_now", "cycle_count", "energy_avg", "energy_empty",
    "energy_empty_design", "energy_full", "energy_full_design", "energy_now",
    "input_current_limit", "online", "power_avg", "power_now", "precharge_current", "present",
    "temp", "temp_alert_max", "temp_alert_min", "temp_ambient", "temp_ambient_max",
    "temp_ambient_min", "temp_max", "temp_min", "time_to_empty_avg", "time_to_empty_now",
    "time_to_full_avg", "time_to_full_now", "voltage_avg", "voltage_boot", "voltage_max",
    "voltage_max_design", "voltage_min", "voltage_min_design", "voltage_now", "voltage_ocv"};
constexpr std::string_view kTexts[] = {"capacity_level", "charge_type", "health", "manufacturer",
                                       "model_name", "scope", "serial_number", "status",
                                       "technology", "type", "usb_type"};

static_assert(std::is_sorted(std::begin(kNumbers), std::end(kNumbers)));
static_assert(std::is_sorted(std::begin(kTexts), std::end(kTexts)));

// The entry of a sorted table equal to `name`, or an empty view.
template <std::size_t N>
std::string_view Known(const std::string_view (&table)[N], std::string_view name) {
  const auto* it = std::lower_bound(std::begin(table), std::end(table), name);
  return it != std::end(table) && *it == name ? *it : std::string_view();
}

procfs::Result<PowerSupply> ReadSupply(const procfs::RootDir& sys, const std::string& name,
                                       std::string& buffer) {
  const std::string dir = std::string(kDir) + "/" + name;
  auto entries = sys.TypedEntries(dir);
  if (!entries) {
    return entries.error();
  }
  PowerSupply supply;
  supply.name = text::GoToValidUtf8(name);  // a label value
  std::string path;
  for (const auto& entry : *entries) {
    if (entry.type != procfs::RootDir::EntryType::kRegular) {
      continue;
    }
    path.assign(dir).append("/").append(entry.name);
    auto text = ReadAttribute(sys, path, buffer);
    if (!text) {
      if (IsAbsentOrUnsupported(text.error())) {
        continue;  // an attribute this supply cannot report now
      }
      return text.error();
    }
    if (std::string_view number = Known(kNumbers, entry.name); !number.empty()) {
      auto value = ParseIntAttribute(sys, path, *text);
      if (!value) {
        return value.error();
      }
      supply.numbers.emplace_back(number, *value);
    } else if (std::string_view word = Known(kTexts, entry.name); !word.empty()) {
      supply.texts.emplace_back(word, text::GoToValidUtf8(*text));
    }
  }
  return supply;
}

}  // namespace

procfs::Result<std::vector<PowerSupply>> ReadPowerSupplies(const procfs::RootDir& sys,
                                                           std::string& buffer) {
  auto names = sys.Entries(kDir);
  if (!names) {
    return names.error();
  }
  std::vector<PowerSupply> out;
  for (const std::string& name : *names) {
    auto supply = ReadSupply(sys, name, buffer);
    if (!supply) {
      return supply.error();
    }
    out.push_back(std::move(*supply));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  return out;
}

}  // namespace vitals::sysfs
