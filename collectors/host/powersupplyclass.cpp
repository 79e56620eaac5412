// node_exporter's "powersupplyclass" collector: each power supply's numeric
// attributes in base units (µA, µV, µW, µAh and µWh divided by 1e6, tenths
// of a degree by 10) and node_power_supply_info with its text attributes,
// from <sysfs>/class/power_supply, but the supplies whose name matches
// --collector.powersupply.ignored-supplies.

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/sysfs/power_supply.h"

namespace vitals::collectors {

namespace {

const FlagSpec kFlags[] = {
    {"collector.powersupply.ignored-supplies", FlagKind::kRegex, "^$",
     "Regexp of power supplies to ignore for powersupplyclass collector."},
};

// "<metric suffix> value of ..." is node_exporter's HELP of each.
#define VITALS_POWER_SUPPLY(suffix)                                                          \
  MetricDesc {                                                                               \
    "node_power_supply_" suffix, suffix " value of /sys/class/power_supply/<power_supply>.", \
        prometheus::MetricType::Gauge, { "power_supply" }                                    \
  }

struct Attribute {
  std::string_view file;
  double divisor;  // 1: as it is; 1e6: micro-units; 10: tenths of a degree
  MetricDesc desc;
};
// Sorted by file name; node_exporter exports none of the *_avg ones.
const Attribute kAttributes[] = {
    {"authentic", 1, VITALS_POWER_SUPPLY("authentic")},
    {"calibrate", 1, VITALS_POWER_SUPPLY("calibrate")},
    {"capacity", 1, VITALS_POWER_SUPPLY("capacity")},
    {"capacity_alert_max", 1, VITALS_POWER_SUPPLY("capacity_alert_max")},
    {"capacity_alert_min", 1, VITALS_POWER_SUPPLY("capacity_alert_min")},
    {"charge_control_limit", 1e6, VITALS_POWER_SUPPLY("charge_control_limit")},
    {"charge_control_limit_max", 1e6, VITALS_POWER_SUPPLY("charge_control_limit_max")},
    {"charge_counter", 1e6, VITALS_POWER_SUPPLY("charge_counter")},
    {"charge_empty", 1e6, VITALS_POWER_SUPPLY("charge_empty")},
    {"charge_empty_design", 1e6, VITALS_POWER_SUPPLY("charge_empty_design")},
    {"charge_full", 1e6, VITALS_POWER_SUPPLY("charge_full")},
    {"charge_full_design", 1e6, VITALS_POWER_SUPPLY("charge_full_design")},
    {"charge_now", 1e6, VITALS_POWER_SUPPLY("charge_ampere")},
    {"charge_term_current", 1e6, VITALS_POWER_SUPPLY("charge_term_current")},
    {"constant_charge_current", 1e6, VITALS_POWER_SUPPLY("constant_charge_current")},
    {"constant_charge_current_max", 1e6, VITALS_POWER_SUPPLY("constant_charge_current_max")},
    {"constant_charge_voltage", 1e6, VITALS_POWER_SUPPLY("constant_charge_voltage")},
    {"constant_charge_voltage_max", 1e6, VITALS_POWER_SUPPLY("constant_charge_voltage_max")},
    {"current_boot", 1e6, VITALS_POWER_SUPPLY("current_boot")},
    {"current_max", 1e6, VITALS_POWER_SUPPLY("current_max")},
    {"current_now", 1e6, VITALS_POWER_SUPPLY("current_ampere")},
    {"cycle_count", 1, VITALS_POWER_SUPPLY("cyclecount")},
    {"energy_empty", 1e6, VITALS_POWER_SUPPLY("energy_empty")},
    {"energy_empty_design", 1e6, VITALS_POWER_SUPPLY("energy_empty_design")},
    {"energy_full", 1e6, VITALS_POWER_SUPPLY("energy_full")},
    {"energy_full_design", 1e6, VITALS_POWER_SUPPLY("energy_full_design")},
    {"energy_now", 1e6, VITALS_POWER_SUPPLY("energy_watthour")},
    {"input_current_limit", 1e6, VITALS_POWER_SUPPLY("input_current_limit")},
    {"online", 1, VITALS_POWER_SUPPLY("online")},
    {"power_now", 1e6, VITALS_POWER_SUPPLY("power_watt")},
    {"precharge_current", 1e6, VITALS_POWER_SUPPLY("precharge_current")},
    {"present", 1, VITALS_POWER_SUPPLY("present")},
    {"temp", 10, VITALS_POWER_SUPPLY("temp_celsius")},
    {"temp_alert_max", 10, VITALS_POWER_SUPPLY("temp_alert_max_celsius")},
    {"temp_alert_min", 10, VITALS_POWER_SUPPLY("temp_alert_min_celsius")},
    {"temp_ambient", 10, VITALS_POWER_SUPPLY("temp_ambient_celsius")},
    {"temp_ambient_max", 10, VITALS_POWER_SUPPLY("temp_ambient_max_celsius")},
    {"temp_ambient_min", 10, VITALS_POWER_SUPPLY("temp_ambient_min_celsius")},
    {"temp_max", 10, VITALS_POWER_SUPPLY("temp_max_celsius")},
    {"temp_min", 10, VITALS_POWER_SUPPLY("temp_min_celsius")},
    {"time_to_empty_now", 1, VITALS_POWER_SUPPLY("time_to_empty_seconds")},
    {"time_to_full_now", 1, VITALS_POWER_SUPPLY("time_to_full_seconds")},
    {"voltage_boot", 1e6, VITALS_POWER_SUPPLY("voltage_boot")},
    {"voltage_max", 1e6, VITALS_POWER_SUPPLY("voltage_max")},
    {"voltage_max_design", 1e6, VITALS_POWER_SUPPLY("voltage_max_design")},
    {"voltage_min", 1e6, VITALS_POWER_SUPPLY("voltage_min")},
    {"voltage_min_design", 1e6, VITALS_POWER_SUPPLY("voltage_min_design")},
    {"voltage_now", 1e6, VITALS_POWER_SUPPLY("voltage_volt")},
    {"voltage_ocv", 1e6, VITALS_POWER_SUPPLY("voltage_ocv")},
};
#undef VITALS_POWER_SUPPLY

std::vector<MetricDesc> FixedDescs() {
  std::vector<MetricDesc> out;
  for (const Attribute& a : kAttributes) {
    out.push_back(a.desc);
  }
  return out;
}

// node_power_supply_info's labels, sorted: each is a text attribute of the
// same name, but power_supply (the supply's name); only those a supply has
// (not empty) label its series, so one family has several label sets.
constexpr std::string_view kInfoLabels[] = {
    "capacity_level", "charge_type", "health", "manufacturer", "model_name", "power_supply",
    "scope", "serial_number", "status", "technology", "type", "usb_type"};
constexpr std::string_view kInfoHelp = "info of /sys/class/power_supply/<power_supply>.";

class PowerSupplyClassCollector : public Collector {
 public:
  explicit PowerSupplyClassCollector(const CollectorContext& ctx)
      : sys_(ctx.sys), ignored_(ctx.flags.Regex("collector.powersupply.ignored-supplies")) {}
  std::string_view name() const override { return "powersupplyclass"; }
  // node_power_supply_info is not among them: its labels vary by supply.
  std::span<const MetricDesc> Describe() const override { return fixed_; }
  std::string_view derived_prefix() const override { return "node_power_supply_"; }

  procfs::Result<void> Collect(MetricSink& out) override {
    auto supplies = sysfs::ReadPowerSupplies(sys_, buffer_);
    if (!supplies) {
      return NoDataIfAbsent(supplies.error(), "no power_supply class");
    }
    for (const sysfs::PowerSupply& supply : *supplies) {
      if (MatchesGo(*ignored_, supply.name)) {
        continue;
      }
      for (const auto& [file, value] : supply.numbers) {
        const auto* attribute = std::lower_bound(
            std::begin(kAttributes), std::end(kAttributes), file,
            [](const Attribute& a, std::string_view f) { return a.file < f; });
        if (attribute != std::end(kAttributes) && attribute->file == file) {
          out.Add(fixed_[static_cast<std::size_t>(attribute - kAttributes)],
                  static_cast<double>(value) / attribute->divisor, {supply.name});
        }
      }
      AddInfo(supply, out);
    }
    return {};
  }

 private:
  void AddInfo(const sysfs::PowerSupply& supply, MetricSink& out) {
    std::uint16_t present = 0;  // bit i: kInfoLabels[i]
    std::string_view values[std::size(kInfoLabels)];
    std::size_t count = 0;
    for (std::size_t i = 0; i < std::size(kInfoLabels); ++i) {
      std::string_view value;
      if (kInfoLabels[i] == "power_supply") {
        value = supply.name;
      } else {
        for (const auto& [file, text] : supply.texts) {
          if (file == kInfoLabels[i]) {
            value = text;
          }
        }
      }
      if (!value.empty()) {
        present = static_cast<std::uint16_t>(present | (1u << i));
        values[count++] = value;
      }
    }
    auto [it, added] = info_descs_.try_emplace(present);
    if (added) {
      it->second = MetricDesc{"node_power_supply_info", kInfoHelp, prometheus::MetricType::Gauge, {}};
      for (std::size_t i = 0; i < std::size(kInfoLabels); ++i) {
        if (present & (1u << i)) {
          it->second.labels.push_back(kInfoLabels[i]);
        }
      }
    }
    out.Add(it->second, 1, std::span<const std::string_view>(values, count));
  }

  const procfs::RootDir& sys_;
  const std::unique_ptr<RE2> ignored_;
  const std::vector<MetricDesc> fixed_ = FixedDescs();  // kAttributes' descs, in their order
  std::map<std::uint16_t, MetricDesc> info_descs_;  // by the set of labels present; nodes never move
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(powersupplyclass,
                          "Batteries and power supplies, from /sys/class/power_supply", kEnabled,
                          kFlags, PowerSupplyClassCollector);

}  // namespace vitals::collectors
