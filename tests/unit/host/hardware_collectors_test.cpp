// The hardware collectors (cpufreq, dmi, edac, hwmon, thermal_zone,
// powersupplyclass, rapl, nvme, tapestats), built by name on temporary
// trees: node_exporter 1.5.0's families, names, units and flags, and what
// each does where its files are absent (NoData, nothing, or an error).

#include <catch2/catch.hpp>

#include <prometheus/check_names.h>

#include <filesystem>
#include <string>
#include <tuple>

#include "tests/unit/host/proc_tree.h"

using namespace vitals::collectors;
using namespace vitals::testing;  // ProcTree, Collect, FindFamily, Sample
using vitals::procfs::Errc;

TEST_CASE("Hardware collectors where the hardware is absent, as node_exporter", "[collectors]") {
  ProcTree tree;
  SECTION("dmi, hwmon, rapl, nvme, tapestats, powersupplyclass: NoData") {
    for (std::string_view name : {"dmi", "hwmon", "rapl", "nvme", "tapestats", "powersupplyclass"}) {
      CAPTURE(name);
      auto c = Collect(*tree.Make(name));
      REQUIRE_FALSE(c.result.ok());
      CHECK(c.result.error().code == Errc::kNoData);
      CHECK(c.families.empty());
    }
  }
  SECTION("cpufreq, edac, thermal_zone: nothing, and success") {
    for (std::string_view name : {"cpufreq", "edac", "thermal_zone"}) {
      CAPTURE(name);
      auto c = Collect(*tree.Make(name));
      CHECK(c.result.ok());
      CHECK(c.families.empty());
    }
  }
  SECTION("an empty class: NoData for dmi, nothing for powersupplyclass") {
    tree.Mkdir("sysfs/class/dmi/id");
    tree.Mkdir("sysfs/class/power_supply");
    CHECK(Collect(*tree.Make("dmi")).result.error().code == Errc::kNoData);
    auto supplies = Collect(*tree.Make("powersupplyclass"));
    CHECK(supplies.result.ok());
    CHECK(supplies.families.empty());
  }
}

TEST_CASE("cpufreq: kHz to hertz, cpuinfo and scaling", "[collectors]") {
  ProcTree tree;
  const std::string dir = "sysfs/devices/system/cpu/cpu3/cpufreq/";
  for (auto [file, value] : {std::pair{"cpuinfo_min_freq", "800000"}, {"cpuinfo_max_freq", "4700000"},
                             {"scaling_cur_freq", "4294967295"}, {"scaling_min_freq", "400000"},
                             {"scaling_max_freq", "3900000"}, {"scaling_available_governors", "a b"},
                             {"scaling_driver", "acpi-cpufreq"}, {"scaling_governor", "schedutil"},
                             {"related_cpus", "3"}, {"scaling_setspeed", "<unsupported>"}}) {
    tree.Write(dir + file, std::string(value) + "\n");
  }
  auto c = Collect(*tree.Make("cpufreq"));
  REQUIRE(c.result.ok());
  CHECK(c.families.size() == 5);  // no cpuinfo_cur_freq: no node_cpu_frequency_hertz
  CHECK_FALSE(FindFamily(c.families, "node_cpu_frequency_hertz"));
  CHECK(Sample(c.families, "node_cpu_frequency_min_hertz", {{"cpu", "3"}}) == 800000000.0);
  CHECK(Sample(c.families, "node_cpu_frequency_max_hertz", {{"cpu", "3"}}) == 4700000000.0);
  CHECK(Sample(c.families, "node_cpu_scaling_frequency_hertz", {{"cpu", "3"}}) == 4294967295000.0);
  CHECK(Sample(c.families, "node_cpu_scaling_frequency_min_hertz", {{"cpu", "3"}}) == 400000000.0);
  CHECK(Sample(c.families, "node_cpu_scaling_frequency_max_hertz", {{"cpu", "3"}}) == 3900000000.0);
}

TEST_CASE("dmi: one info series labelled with the strings there are, read once", "[collectors]") {
  ProcTree tree;
  tree.Write("sysfs/class/dmi/id/sys_vendor", "QEMU\n");
  tree.Write("sysfs/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
  tree.Write("sysfs/class/dmi/id/bios_vendor", "SeaBIOS\n");
  auto dmi = tree.Make("dmi");
  REQUIRE(dmi->Describe().size() == 1);
  CHECK(dmi->Describe()[0].labels ==
        std::vector<std::string_view>{"bios_vendor", "product_name", "system_vendor"});
  tree.Write("sysfs/class/dmi/id/board_name", "changed after start\n");
  auto c = Collect(*dmi);
  REQUIRE(c.result.ok());
  CHECK(Sample(c.families, "node_dmi_info",
               {{"bios_vendor", "SeaBIOS"},
                {"product_name", "Standard PC (Q35 + ICH9, 2009)"},
                {"system_vendor", "QEMU"}}) == 1);
  CHECK(FindFamily(c.families, "node_dmi_info")->help.rfind("A metric with a constant '1' value", 0) == 0);
}

TEST_CASE("edac: per controller and csrow, the noinfo counts as csrow \"unknown\"", "[collectors]") {
  ProcTree tree;
  const std::string mc = "sysfs/devices/system/edac/mc/";
  for (auto [file, value] : {std::pair{"mc0/ce_count", "5"}, {"mc0/ce_noinfo_count", "1"},
                             {"mc0/ue_count", "0"}, {"mc0/ue_noinfo_count", "2"},
                             {"mc0/csrow0/ce_count", "4"}, {"mc0/csrow0/ue_count", "0"},
                             // "mc0x" is controller "0" too: the first one listed wins
                             {"mc0x/ce_count", "99"}, {"mc0x/ce_noinfo_count", "99"},
                             {"mc0x/ue_count", "99"}, {"mc0x/ue_noinfo_count", "99"}}) {
    tree.Write(mc + file, std::string(value) + "\n");
  }
  auto c = Collect(*tree.Make("edac"));
  REQUIRE(c.result.ok());
  CHECK(Sample(c.families, "node_edac_correctable_errors_total", {{"controller", "0"}}) == 5);
  CHECK(Sample(c.families, "node_edac_uncorrectable_errors_total", {{"controller", "0"}}) == 0);
  CHECK(Sample(c.families, "node_edac_csrow_correctable_errors_total",
               {{"controller", "0"}, {"csrow", "unknown"}}) == 1);
  CHECK(Sample(c.families, "node_edac_csrow_uncorrectable_errors_total",
               {{"controller", "0"}, {"csrow", "unknown"}}) == 2);
  CHECK(Sample(c.families, "node_edac_csrow_correctable_errors_total",
               {{"controller", "0"}, {"csrow", "0"}}) == 4);
  CHECK(SeriesOf(c.families, "node_edac_correctable_errors_total") == 1);
  CHECK(FindFamily(c.families, "node_edac_correctable_errors_total")->type ==
        prometheus::MetricType::Counter);
  tree.Write(mc + "mc0/ue_count", "lots\n");
  auto bad = Collect(*tree.Make("edac"));
  REQUIRE_FALSE(bad.result.ok());
  CHECK(bad.result.error().code == Errc::kParse);
}

TEST_CASE("hwmon: node_exporter's names, units and help for every sensor type", "[collectors]") {
  ProcTree tree;
  const std::string chip = "sysfs/devices/platform/nct6775.2592/hwmon/hwmon2/";
  tree.Symlink("sysfs/class/hwmon/hwmon2", "../../devices/platform/nct6775.2592/hwmon/hwmon2");
  tree.Symlink("sysfs/devices/platform/nct6775.2592/hwmon/hwmon2/device", "../../../nct6775.2592");
  for (auto [file, value] : {
           std::pair{"name", "nct6798"}, {"in0_input", "1040"}, {"in0_alarm", "1"}, {"in0_beep", "0"},
           {"in0_label", "Vcore"}, {"cpu0_vid", "1100"}, {"fan1_input", "1234"}, {"fan1_target", "1500"},
           {"fan1_pulses", "2"}, {"fan1_fault", "0"}, {"pwm1", "128"}, {"pwm1_enable", "5"},
           {"temp1_input", "-5000"}, {"temp1_max", "80000"}, {"temp1_type", "4"},
           {"temp1_label", "SYS\xffTIN"}, {"temp2", "33000"}, {"temp2_input", "33500"},
           {"curr1_input", "1500"}, {"power1_average", "2.5e6"}, {"power1_accuracy", "950000"},
           {"power1_average_interval", "1000"}, {"power1_cap", "300000000"},
           {"energy1_input", "123456789012"}, {"humidity1_input", "45230"},
           {"intrusion0_alarm", "1"}, {"beep_enable", "1"}, {"vrm", "9.1"},
           {"update_interval", "1000"}, {"temp3_input", "N/A"}, {"in3_label", "VIN3"}}) {
    tree.Write(chip + file, std::string(value) + "\n");
  }
  auto c = Collect(*tree.Make("hwmon"));
  REQUIRE(c.result.ok());
  const std::string id = "platform_nct6775_2592";
  auto value = [&](const std::string& family, const std::string& sensor) {
    return Sample(c.families, family, {{"chip", id}, {"sensor", sensor}});
  };
  auto help = [&](const std::string& family) {
    const auto* f = FindFamily(c.families, family);
    return f == nullptr ? std::string("(none)") : f->help;
  };
  CHECK(Sample(c.families, "node_hwmon_chip_names", {{"chip", id}, {"chip_name", "nct6798"}}) == 1);
  CHECK(value("node_hwmon_in_volts", "in0") == 1.04);
  CHECK(help("node_hwmon_in_volts") == "Hardware monitor for voltage (input)");
  CHECK(value("node_hwmon_in_alarm", "in0") == 1);
  CHECK(help("node_hwmon_in_alarm") == "Hardware sensor alarm status (in)");
  CHECK(value("node_hwmon_in_beep_enabled", "in0") == 0);
  CHECK(value("node_hwmon_cpu_vid_volts", "cpu0") == 1100 * 0.001);
  CHECK(value("node_hwmon_fan_rpm", "fan1") == 1234);
  CHECK(value("node_hwmon_fan_target_rpm", "fan1") == 1500);
  CHECK(value("node_hwmon_fan_pulses", "fan1") == 2);
  CHECK(help("node_hwmon_fan_pulses") == "Hardware monitor fan element pulses");
  CHECK(value("node_hwmon_fan_fault", "fan1") == 0);
  CHECK(value("node_hwmon_pwm", "pwm1") == 128);
  CHECK(help("node_hwmon_pwm") == "Hardware monitor pwm element ");
  CHECK(value("node_hwmon_pwm_enable", "pwm1") == 5);
  CHECK(value("node_hwmon_temp_celsius", "temp1") == -5);
  CHECK(value("node_hwmon_temp_max_celsius", "temp1") == 80);
  CHECK(help("node_hwmon_temp_max_celsius") == "Hardware monitor for temperature (max)");
  CHECK(value("node_hwmon_temp_type", "temp1") == 4);  // not a temperature: as it is
  // A bare temp2 is the value; then temp2_input keeps its name.
  CHECK(value("node_hwmon_temp_celsius", "temp2") == 33);
  CHECK(value("node_hwmon_temp_input_celsius", "temp2") == 33.5);
  CHECK_FALSE(value("node_hwmon_temp_celsius", "temp3"));  // "N/A": skipped, as node_exporter
  CHECK(value("node_hwmon_curr_amps", "curr1") == 1.5);
  CHECK(value("node_hwmon_power_average_watt", "power1") == 2.5);
  CHECK(value("node_hwmon_power_accuracy", "power1") == 0.95);
  CHECK(value("node_hwmon_power_average_interval_seconds", "power1") == 1);
  CHECK(value("node_hwmon_power_cap_watt", "power1") == 300);
  CHECK(value("node_hwmon_energy_joule_total", "energy1") == 123456789012 / 1000000.0);
  CHECK(FindFamily(c.families, "node_hwmon_energy_joule_total")->type ==
        prometheus::MetricType::Counter);
  CHECK(value("node_hwmon_humidity", "humidity1") == 45230 / 1000000.0);
  CHECK(value("node_hwmon_intrusion_alarm", "intrusion0") == 1);
  CHECK(value("node_hwmon_beep_enabled", "beep_enable0") == 1);
  CHECK(value("node_hwmon_voltage_regulator_version", "vrm0") == 9.1);
  CHECK(value("node_hwmon_update_interval_seconds", "update_interval0") == 1);
  CHECK(Sample(c.families, "node_hwmon_sensor_label",
               {{"chip", id}, {"sensor", "temp1"}, {"label", "SYS\xef\xbf\xbdTIN"}}) == 1);
  CHECK(Sample(c.families, "node_hwmon_sensor_label",
               {{"chip", id}, {"sensor", "in3"}, {"label", "VIN3"}}) == 1);
  for (const auto& family : c.families) {
    CAPTURE(family.name);
    CHECK(family.name.rfind("node_hwmon_", 0) == 0);
    CHECK(prometheus::CheckMetricName(family.name));
  }
}

TEST_CASE("hwmon: two chips of one name give each series once, from the first", "[collectors]") {
  ProcTree tree;
  tree.Write("sysfs/class/hwmon/hwmon0/name", "acpitz\n");
  tree.Write("sysfs/class/hwmon/hwmon0/temp1_input", "27800\n");
  tree.Write("sysfs/class/hwmon/hwmon11/name", "acpitz\n");
  tree.Write("sysfs/class/hwmon/hwmon11/temp1_input", "55000\n");
  tree.Write("sysfs/class/hwmon/hwmon11/temp2_input", "56000\n");
  // Two files that clean to one name in one sensor: the first, sorted, stays.
  tree.Write("sysfs/class/hwmon/hwmon0/temp1_MAX", "90000\n");
  tree.Write("sysfs/class/hwmon/hwmon0/temp1_max", "80000\n");
  auto c = Collect(*tree.Make("hwmon"));
  REQUIRE(c.result.ok());
  CHECK(SeriesOf(c.families, "node_hwmon_chip_names") == 1);
  CHECK(SeriesOf(c.families, "node_hwmon_temp_celsius") == 2);
  CHECK(Sample(c.families, "node_hwmon_temp_celsius", {{"chip", "acpitz"}, {"sensor", "temp1"}}) == 27.8);
  CHECK(Sample(c.families, "node_hwmon_temp_celsius", {{"chip", "acpitz"}, {"sensor", "temp2"}}) == 56);
  CHECK(SeriesOf(c.families, "node_hwmon_temp_max_celsius") == 1);
  CHECK(Sample(c.families, "node_hwmon_temp_max_celsius", {{"chip", "acpitz"}, {"sensor", "temp1"}}) == 90);
}

TEST_CASE("thermal_zone: zones in degrees, cooling devices' states", "[collectors]") {
  ProcTree tree;
  const std::string t = "sysfs/class/thermal/";
  for (auto [file, value] : {std::pair{"thermal_zone1/type", "acpitz"}, {"thermal_zone1/policy", "step_wise"},
                             {"thermal_zone1/temp", "-2500"}, {"cooling_device0/type", "intel_powerclamp"},
                             {"cooling_device0/max_state", "50"}, {"cooling_device0/cur_state", "-1"}}) {
    tree.Write(t + file, std::string(value) + "\n");
  }
  auto c = Collect(*tree.Make("thermal_zone"));
  REQUIRE(c.result.ok());
  CHECK(Sample(c.families, "node_thermal_zone_temp", {{"zone", "1"}, {"type", "acpitz"}}) == -2.5);
  CHECK(Sample(c.families, "node_cooling_device_cur_state",
               {{"name", "0"}, {"type", "intel_powerclamp"}}) == -1);
  CHECK(Sample(c.families, "node_cooling_device_max_state",
               {{"name", "0"}, {"type", "intel_powerclamp"}}) == 50);
  tree.Write(t + "cooling_device0/cur_state", "off\n");
  auto bad = Collect(*tree.Make("thermal_zone"));
  REQUIRE_FALSE(bad.result.ok());
  CHECK(bad.result.error().code == Errc::kParse);
  CHECK(bad.result.error().path ==
        (tree.path() / "sysfs/class/thermal/cooling_device0/cur_state").string());
}

TEST_CASE("powersupplyclass: base units, info labels per supply, ignored supplies", "[collectors]") {
  ProcTree tree;
  const std::string ps = "sysfs/class/power_supply/";
  for (auto [file, value] : {std::pair{"BAT0/capacity", "83"}, {"BAT0/cycle_count", "412"},
                             {"BAT0/energy_now", "38170000"}, {"BAT0/voltage_now", "16523000"},
                             {"BAT0/power_now", "12345000"}, {"BAT0/temp", "-105"},
                             {"BAT0/time_to_empty_now", "11160"}, {"BAT0/current_avg", "5"},
                             {"BAT0/status", "Discharging"}, {"BAT0/type", "Battery"},
                             {"BAT0/serial_number", ""}, {"AC/online", "1"}, {"AC/type", "Mains"}}) {
    tree.Write(ps + file, std::string(value) + "\n");
  }
  auto c = Collect(*tree.Make("powersupplyclass"));
  REQUIRE(c.result.ok());
  auto bat = [&](const std::string& family) {
    return Sample(c.families, family, {{"power_supply", "BAT0"}});
  };
  CHECK(bat("node_power_supply_capacity") == 83);
  CHECK(bat("node_power_supply_cyclecount") == 412);
  CHECK(bat("node_power_supply_energy_watthour") == 38.17);
  CHECK(bat("node_power_supply_voltage_volt") == 16523000 / 1e6);
  CHECK(bat("node_power_supply_power_watt") == 12.345);
  CHECK(bat("node_power_supply_temp_celsius") == -10.5);
  CHECK(bat("node_power_supply_time_to_empty_seconds") == 11160);
  CHECK_FALSE(FindFamily(c.families, "node_power_supply_current_avg"));  // not exported
  CHECK(FindFamily(c.families, "node_power_supply_capacity")->help ==
        "capacity value of /sys/class/power_supply/<power_supply>.");
  // Each supply's info has the labels it has values for (an empty serial has none).
  CHECK(Sample(c.families, "node_power_supply_info",
               {{"power_supply", "BAT0"}, {"status", "Discharging"}, {"type", "Battery"}}) == 1);
  CHECK(Sample(c.families, "node_power_supply_info", {{"power_supply", "AC"}, {"type", "Mains"}}) == 1);
  tree.SetFlag("collector.powersupply.ignored-supplies", "^BAT");
  auto ignored = Collect(*tree.Make("powersupplyclass"));
  REQUIRE(ignored.result.ok());
  CHECK(SeriesOf(ignored.families, "node_power_supply_info") == 1);
  CHECK_FALSE(FindFamily(ignored.families, "node_power_supply_capacity"));
}

TEST_CASE("rapl: a family per zone name, or the zone as a label with the flag", "[collectors]") {
  ProcTree tree;
  const std::string pc = "sysfs/class/powercap/";
  for (auto [entry, name, energy] : {std::tuple{"intel-rapl:0", "package-0", "71294837165"},
                                     {"intel-rapl:0:2", "dram", "1000000"},
                                     {"intel-rapl:1:0", "dram", "2000000"},
                                     {"intel-rapl:2", "psys-gt", "3000000"}}) {
    tree.Write(pc + entry + "/name", std::string(name) + "\n");
    tree.Write(pc + entry + "/energy_uj", std::string(energy) + "\n");
    tree.Write(pc + entry + "/max_energy_range_uj", "262143328850\n");
  }
  const std::string root = (tree.path() / "sysfs").lexically_normal().string();
  auto c = Collect(*tree.Make("rapl"));
  REQUIRE(c.result.ok());
  CHECK(Sample(c.families, "node_rapl_package_joules_total",
               {{"index", "0"}, {"path", root + "/class/powercap/intel-rapl:0"}}) == 71294.837165);
  CHECK(FindFamily(c.families, "node_rapl_package_joules_total")->help ==
        "Current RAPL package value in joules");
  CHECK(Sample(c.families, "node_rapl_dram_joules_total",
               {{"index", "1"}, {"path", root + "/class/powercap/intel-rapl:1:0"}}) == 2);
  CHECK(SeriesOf(c.families, "node_rapl_psys_gt_joules_total") == 1);  // SanitizeMetricName
  tree.SetFlag("collector.rapl.enable-zone-label", "true");
  auto labelled = Collect(*tree.Make("rapl"));
  REQUIRE(labelled.result.ok());
  REQUIRE(labelled.families.size() == 1);
  CHECK(Sample(labelled.families, "node_rapl_joules_total",
               {{"index", "0"}, {"path", root + "/class/powercap/intel-rapl:0:2"},
                {"rapl_zone", "dram"}}) == 1);
  tree.Write(pc + "intel-rapl:2/energy_uj", "-1\n");
  auto bad = Collect(*tree.Make("rapl"));
  REQUIRE_FALSE(bad.result.ok());
  CHECK(bad.result.error().code == Errc::kParse);
}

TEST_CASE("nvme and tapestats", "[collectors]") {
  ProcTree tree;
  tree.Write("sysfs/class/nvme/nvme0/firmware_rev", "2B2QEXM7\n");
  tree.Write("sysfs/class/nvme/nvme0/model", "Samsung SSD 970 EVO Plus 1TB            \n");
  tree.Write("sysfs/class/nvme/nvme0/serial", "S4EWNX0R123456X     \n");
  tree.Write("sysfs/class/nvme/nvme0/state", "live\n");
  auto nvme = Collect(*tree.Make("nvme"));
  REQUIRE(nvme.result.ok());
  CHECK(Sample(nvme.families, "node_nvme_info",
               {{"device", "nvme0"}, {"firmware_revision", "2B2QEXM7"},
                {"model", "Samsung SSD 970 EVO Plus 1TB"}, {"serial", "S4EWNX0R123456X"},
                {"state", "live"}}) == 1);
  tree.Remove("sysfs/class/nvme/nvme0/serial");  // any missing file: no data, as node_exporter
  CHECK(Collect(*tree.Make("nvme")).result.error().code == Errc::kNoData);

  for (std::string tape : {"st0", "st1"}) {
    for (auto [file, value] : {std::pair{"in_flight", "1"}, {"io_ns", "9247011087720"},
                               {"other_cnt", "1409"}, {"read_byte_cnt", "979383912"},
                               {"read_cnt", "3741"}, {"read_ns", "33788355744"}, {"resid_cnt", "19"},
                               {"write_byte_cnt", "1496246784000"}, {"write_cnt", "53772916"},
                               {"write_ns", "5233597394395"}}) {
      tree.Write("sysfs/class/scsi_tape/" + tape + "/stats/" + file, std::string(value) + "\n");
    }
  }
  auto tapes = Collect(*tree.Make("tapestats"));
  REQUIRE(tapes.result.ok());
  CHECK(tapes.families.size() == 10);
  CHECK(Sample(tapes.families, "node_tape_io_time_seconds_total", {{"device", "st0"}}) ==
        9247011087720.0 * 0.000000001);
  CHECK(Sample(tapes.families, "node_tape_written_bytes_total", {{"device", "st1"}}) == 1496246784000.0);
  CHECK(Sample(tapes.families, "node_tape_io_now", {{"device", "st1"}}) == 1);
  CHECK(FindFamily(tapes.families, "node_tape_io_now")->type == prometheus::MetricType::Gauge);
  tree.SetFlag("collector.tapestats.ignored-devices", "^st1$");
  auto ignored = Collect(*tree.Make("tapestats"));
  REQUIRE(ignored.result.ok());
  CHECK(SeriesOf(ignored.families, "node_tape_io_now") == 1);
}
