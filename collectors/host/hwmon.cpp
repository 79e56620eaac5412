// node_exporter's "hwmon" collector: every sensor of every hardware
// monitoring chip under <sysfs>/class/hwmon (voltages, fans, temperatures,
// currents, power, energy, humidity, intrusion, PWM), named as
// node_exporter 1.5.0 names them: node_hwmon_<type>[_<property>]_<unit>
// {chip,sensor}, with the chip's and each sensor's label as their own
// families.

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "collectors/collector_registry.h"
#include "collectors/procfs/go_text.h"
#include "collectors/sysfs/attribute.h"
#include "collectors/sysfs/hwmon.h"
#include "text/utf8.h"

namespace vitals::collectors {

namespace {

constexpr std::string_view kChipSensor[] = {"chip", "sensor"};

using prometheus::MetricType;
const MetricDesc kDescs[] = {
    {"node_hwmon_chip_names", "Annotation metric for human-readable chip names", MetricType::Gauge,
     {"chip", "chip_name"}},
    {"node_hwmon_sensor_label", "Label for given chip and sensor", MetricType::Gauge,
     {"chip", "sensor", "label"}},
    {"node_hwmon_beep_enabled", "Hardware beep enabled", MetricType::Gauge, {"chip", "sensor"}},
    {"node_hwmon_voltage_regulator_version", "Hardware voltage regulator", MetricType::Gauge,
     {"chip", "sensor"}},
    {"node_hwmon_update_interval_seconds", "Hardware monitor update interval", MetricType::Gauge,
     {"chip", "sensor"}},
};
enum Desc { kChipNames, kSensorLabel, kBeepEnabled, kVoltageRegulator, kUpdateInterval };

// How node_exporter names, describes and scales a sensor's property, in the
// order it tries the rules.
enum class Rule { kStatus, kBeep, kVolts, kCelsius, kAmps, kJoules, kAccuracy, kInterval, kWatts,
                  kHumidity, kRpm, kOther };

Rule RuleFor(std::string_view type, std::string_view element) {
  if (element == "fault" || element == "alarm") {
    return Rule::kStatus;
  }
  if (element == "beep") {
    return Rule::kBeep;
  }
  if (type == "in" || type == "cpu") {
    return Rule::kVolts;
  }
  if (type == "temp" && element != "type") {
    return Rule::kCelsius;
  }
  if (type == "curr") {
    return Rule::kAmps;
  }
  if (type == "energy") {
    return Rule::kJoules;
  }
  if (type == "power") {
    if (element == "accuracy") {
      return Rule::kAccuracy;
    }
    if (element == "average_interval" || element == "average_interval_min" ||
        element == "average_interval_max") {
      return Rule::kInterval;
    }
    return Rule::kWatts;
  }
  if (type == "humidity") {
    return Rule::kHumidity;
  }
  if (type == "fan" && (element == "input" || element == "min" || element == "max" ||
                        element == "target")) {
    return Rule::kRpm;
  }
  return Rule::kOther;
}

// The value as exported: Go's float64 arithmetic, multiplied or divided as
// node_exporter writes it.
double Scale(Rule rule, double value) {
  switch (rule) {
    case Rule::kVolts: case Rule::kCelsius: case Rule::kAmps: case Rule::kInterval:
      return value * 0.001;
    case Rule::kJoules: case Rule::kAccuracy: case Rule::kWatts: case Rule::kHumidity:
      return value / 1000000.0;
    default:
      return value;
  }
}

// The family's name and HELP. `input_is_value`: the property is "input" and
// the sensor has no bare value file, so "input" adds nothing to the name.
std::pair<std::string, std::string> NameAndHelp(Rule rule, std::string_view type,
                                                std::string_view element, bool input_is_value) {
  std::string name = "node_hwmon_" + std::string(type);
  if (!element.empty() && !(element == "input" && input_is_value)) {
    name += "_" + sysfs::CleanHwmonName(element);
  }
  const std::string e(element);
  switch (rule) {
    case Rule::kStatus:
      return {name, "Hardware sensor " + e + " status (" + std::string(type) + ")"};
    case Rule::kBeep: return {name + "_enabled", "Hardware monitor sensor has beeping enabled"};
    case Rule::kVolts: return {name + "_volts", "Hardware monitor for voltage (" + e + ")"};
    case Rule::kCelsius:
      return {name + "_celsius",
              "Hardware monitor for temperature (" + (e.empty() ? std::string("input") : e) + ")"};
    case Rule::kAmps: return {name + "_amps", "Hardware monitor for current (" + e + ")"};
    case Rule::kJoules:
      return {name + "_joule_total", "Hardware monitor for joules used so far (" + e + ")"};
    case Rule::kAccuracy: return {name, "Hardware monitor power meter accuracy, as a ratio"};
    case Rule::kInterval:
      return {name + "_seconds", "Hardware monitor power usage update interval (" + e + ")"};
    case Rule::kWatts:
      return {name + "_watt", "Hardware monitor for power usage in watts (" + e + ")"};
    case Rule::kHumidity:
      return {name, "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the "
                    "humidity as a percentage) (" + e + ")"};
    case Rule::kRpm:
      return {name + "_rpm", "Hardware monitor for fan revolutions per minute (" + e + ")"};
    case Rule::kOther: break;
  }
  return {name, "Hardware monitor " + std::string(type) + " element " + e};
}

// "temp" of "temp12": a sensor is its type and a number.
std::string_view TypeOf(std::string_view sensor) {
  return sensor.substr(0, sensor.find_last_not_of("0123456789") + 1);
}

class HwmonCollector : public Collector {
 public:
  explicit HwmonCollector(const CollectorContext& ctx) : sys_(ctx.sys) {}
  std::string_view name() const override { return "hwmon"; }
  std::span<const MetricDesc> Describe() const override { return kDescs; }
  std::string_view derived_prefix() const override { return "node_hwmon_"; }

  procfs::Result<void> Collect(MetricSink& out) override {
    derived_.StartScrape();
    auto chips = sysfs::ReadHwmon(sys_, buffer_);
    if (!chips) {
      // Only the class itself: a chip's file that is absent is an error.
      const procfs::Error& error = chips.error();
      return error.path == "class/hwmon" ? NoDataIfAbsent(error, "no hwmon class") : error;
    }
    pending_.clear();
    for (const sysfs::HwmonChip& chip : *chips) {
      if (!chip.chip_name.empty()) {
        Emit(kDescs[kChipNames], chip.chip, chip.chip_name, 1);
      }
      const auto& attributes = chip.attributes;
      for (std::size_t begin = 0, end = 0; begin < attributes.size(); begin = end) {
        end = begin;
        while (end < attributes.size() && attributes[end].sensor == attributes[begin].sensor) {
          ++end;
        }
        AddSensor(chip.chip, {attributes.data() + begin, end - begin});
      }
    }
    // Two chips of one name, or two files of one sensor that make the same
    // name, would give the same series twice; as node_exporter's registry
    // does, the first one stays.
    std::stable_sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
      return std::tie(a.desc->name, a.chip, a.sensor, a.label) <
             std::tie(b.desc->name, b.chip, b.sensor, b.label);
    });
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const Pending& p = pending_[i];
      if (i > 0 && std::tie(p.desc->name, p.chip, p.sensor, p.label) ==
                       std::tie(pending_[i - 1].desc->name, pending_[i - 1].chip,
                                pending_[i - 1].sensor, pending_[i - 1].label)) {
        continue;
      }
      if (p.desc == &kDescs[kSensorLabel]) {
        out.Add(*p.desc, p.value, {p.chip, p.sensor, p.label});
      } else {
        out.Add(*p.desc, p.value, {p.chip, p.sensor});  // chip_names: sensor is the chip_name
      }
    }
    return {};
  }

 private:
  struct Pending {
    const MetricDesc* desc;
    std::string_view chip;
    std::string_view sensor;
    std::string label;  // node_hwmon_sensor_label's, made valid UTF-8
    double value;
  };

  void Emit(const MetricDesc& desc, std::string_view chip, std::string_view sensor, double value,
            std::string label = {}) {
    pending_.push_back(Pending{&desc, chip, sensor, std::move(label), value});
  }

  // One sensor's attributes (sorted by property).
  void AddSensor(std::string_view chip, std::span<const sysfs::HwmonAttribute> sensor) {
    const std::string_view name = sensor.front().sensor;
    const std::string_view type = TypeOf(name);
    const sysfs::HwmonAttribute* bare = nullptr;  // the property "", the sensor's value
    for (const auto& attribute : sensor) {
      if (attribute.property.empty()) {
        bare = &attribute;
      } else if (attribute.property == "label") {
        Emit(kDescs[kSensorLabel], chip, name, 1, text::GoToValidUtf8(attribute.value));
      }
    }
    if (type == "beep_enable") {
      Emit(kDescs[kBeepEnabled], chip, name, bare != nullptr && bare->value == "1" ? 1 : 0);
      return;
    }
    if (type == "vrm" || type == "update_interval") {
      auto value = procfs::detail::GoParseFloat(bare != nullptr ? std::string_view(bare->value) : "");
      if (value) {
        Emit(kDescs[type == "vrm" ? kVoltageRegulator : kUpdateInterval], chip, name,
             type == "vrm" ? *value : *value * 0.001);
      }
      return;
    }
    for (const auto& attribute : sensor) {
      const std::string_view element = attribute.property;
      if (element == "label") {
        continue;
      }
      auto value = procfs::detail::GoParseFloat(attribute.value);
      if (!value) {
        continue;  // not a number: node_exporter skips it too
      }
      const Rule rule = RuleFor(type, element);
      const bool input_is_value = element == "input" && bare == nullptr;
      key_.assign(type).append(1, '\0').append(element).append(input_is_value ? "\1" : "\0", 1);
      auto family = derived_.Get(
          key_, rule == Rule::kJoules ? MetricType::Counter : MetricType::Gauge, [&] {
            return std::optional(NameAndHelp(rule, type, element, input_is_value));
          }, kChipSensor);
      if (family.desc != nullptr) {
        Emit(*family.desc, chip, name, Scale(rule, *value));
      }
    }
  }

  const procfs::RootDir& sys_;
  DerivedFamilies derived_;  // by sensor type, property and whether "input" is the value
  std::vector<Pending> pending_;
  std::string key_;
  std::string buffer_;
};

}  // namespace

VITALS_REGISTER_COLLECTOR(hwmon, "Hardware sensors (temperatures, fans, voltages, power), from /sys/class/hwmon",
                          kEnabled, {}, HwmonCollector);

}  // namespace vitals::collectors
