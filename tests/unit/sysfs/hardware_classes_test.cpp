// The sysfs readers of the hardware collectors (cpufreq, dmi, edac, thermal,
// power_supply, powercap, nvme, scsi_tape) on temporary trees: what they
// read, what they leave out, and which failures are errors.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <limits>
#include <map>
#include <string>

#include "collectors/sysfs/cpufreq.h"
#include "collectors/sysfs/dmi.h"
#include "collectors/sysfs/edac.h"
#include "collectors/sysfs/nvme.h"
#include "collectors/sysfs/power_supply.h"
#include "collectors/sysfs/powercap.h"
#include "collectors/sysfs/scsi_tape.h"
#include "collectors/sysfs/thermal.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::sysfs;
using vitals::procfs::Errc;
using vitals::procfs::RootDir;
using vitals::testing::OpenRootDir;
using vitals::testing::TempTree;

namespace {

class SysTree : public TempTree {
 public:
  SysTree() : sys_(OpenRootDir(path())) {}
  const RootDir& sys() const { return sys_; }
  std::string buffer;

 private:
  RootDir sys_;
};

void WriteCpufreq(const TempTree& tree, const std::string& dir) {
  for (auto [file, value] : {std::pair{"cpuinfo_cur_freq", "2400123"}, {"cpuinfo_min_freq", "800000"},
                             {"cpuinfo_max_freq", "4700000"}, {"cpuinfo_transition_latency", "0"},
                             {"scaling_cur_freq", "2399998"}, {"scaling_min_freq", "800000"},
                             {"scaling_max_freq", "4294967295"},
                             {"scaling_available_governors", "performance powersave"},
                             {"scaling_driver", "intel_pstate"}, {"scaling_governor", "powersave"},
                             {"related_cpus", "0"}, {"scaling_setspeed", "<unsupported>"}}) {
    tree.Write(dir + "/" + file, std::string(value) + "\n");
  }
}

}  // namespace

TEST_CASE("ReadCpufreq", "[sysfs]") {
  SysTree tree;
  SECTION("no CPUs: none") {
    auto cpus = ReadCpufreq(tree.sys(), tree.buffer);
    REQUIRE(cpus.ok());
    CHECK(cpus->empty());
  }
  WriteCpufreq(tree, "devices/system/cpu/cpu0/cpufreq");
  WriteCpufreq(tree, "devices/system/cpu/cpufreq/policy2");  // not a CPU
  tree.Mkdir("devices/system/cpu/cpu1/topology");            // no cpufreq: left out
  tree.Symlink("devices/system/cpu/cpu2/cpufreq", "../cpufreq/policy2");
  tree.Remove("devices/system/cpu/cpufreq/policy2/cpuinfo_cur_freq");  // root's only
  auto cpus = ReadCpufreq(tree.sys(), tree.buffer);
  REQUIRE(cpus.ok());
  REQUIRE(cpus->size() == 2);
  const Cpufreq& cpu0 = (*cpus)[0];
  CHECK(cpu0.cpu == "0");
  CHECK(cpu0.cpuinfo_cur == 2400123u);
  CHECK(cpu0.cpuinfo_min == 800000u);
  CHECK(cpu0.cpuinfo_max == 4700000u);
  CHECK(cpu0.scaling_cur == 2399998u);
  CHECK(cpu0.scaling_max == 4294967295u);
  CHECK((*cpus)[1].cpu == "2");
  CHECK_FALSE((*cpus)[1].cpuinfo_cur);
  CHECK((*cpus)[1].scaling_min == 800000u);
  SECTION("a number file that is not a number is an error") {
    tree.Write("devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "fast\n");
    auto bad = ReadCpufreq(tree.sys(), tree.buffer);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == Errc::kParse);
    CHECK(bad.error().path == (tree.path() / ("devices/system/cpu/cpu0/cpufreq/scaling_cur_freq")).string());
  }
  SECTION("a missing text file is an error, as in procfs") {
    tree.Remove("devices/system/cpu/cpu0/cpufreq/scaling_setspeed");
    auto bad = ReadCpufreq(tree.sys(), tree.buffer);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == Errc::kNotFound);
  }
}

TEST_CASE("ReadDmi", "[sysfs]") {
  SysTree tree;
  SECTION("no class/dmi/id: kNotFound") {
    CHECK(ReadDmi(tree.sys(), tree.buffer).error().code == Errc::kNotFound);
  }
  tree.Write("class/dmi/id/sys_vendor", "Gigabyte Technology Co., Ltd.\n");
  tree.Write("class/dmi/id/bios_version", "F12\n");
  tree.Write("class/dmi/id/board_asset_tag", "\n");
  tree.Write("class/dmi/id/chassis_asset_tag", "Asset-\xff\xfe" "42\n");
  tree.Write("class/dmi/id/product_version", "1.0\xc2\xa0\n");
  tree.Write("class/dmi/id/product_family", std::string(127, 'f') + " and past 128 bytes\n");
  tree.Write("class/dmi/id/chassis_type", "3\n");     // read, not exported
  tree.Write("class/dmi/id/modalias", "dmi:bvn\n");   // not read
  tree.Write("class/dmi/id/uevent", "MODALIAS=dmi\n");
  tree.Write("class/dmi/id/power/control", "auto\n");  // a directory: skipped
  tree.Write("elsewhere", "not DMI\n");
  tree.Symlink("class/dmi/id/board_name", "../../../elsewhere");
  auto dmi = ReadDmi(tree.sys(), tree.buffer);
  REQUIRE(dmi.ok());
  using Pair = std::pair<std::string_view, std::string>;
  CHECK(*dmi == std::vector<Pair>{{"bios_version", "F12"},
                                  {"board_asset_tag", ""},
                                  {"chassis_asset_tag", "Asset-\xef\xbf\xbd" "42"},
                                  {"product_family", std::string(127, 'f')},
                                  {"product_version", "1.0"},
                                  {"system_vendor", "Gigabyte Technology Co., Ltd."}});
  SECTION("a directory or a FIFO of a DMI file's name is not read") {
    tree.Mkdir("class/dmi/id/product_sku");
    REQUIRE(::mkfifo((tree.path() / "class/dmi/id/product_uuid").c_str(), 0600) == 0);
    auto again = ReadDmi(tree.sys(), tree.buffer);
    REQUIRE(again.ok());
    CHECK(again->size() == 6);
  }
}

TEST_CASE("ReadEdac", "[sysfs]") {
  SysTree tree;
  auto none = ReadEdac(tree.sys(), tree.buffer);
  REQUIRE(none.ok());
  CHECK(none->empty());
  const std::string mc = "devices/system/edac/mc/";
  for (auto [file, value] : {std::pair{"mc0/ce_count", "5"}, {"mc0/ce_noinfo_count", "1"},
                             {"mc0/ue_count", "0"}, {"mc0/ue_noinfo_count", "0"},
                             {"mc0/csrow0/ce_count", "3"}, {"mc0/csrow0/ue_count", "0"},
                             {"mc0/csrow12x/ce_count", "1"}, {"mc0/csrow12x/ue_count", "2"},
                             {"mc1/ce_count", "4294967301"}, {"mc1/ce_noinfo_count", "0"},
                             {"mc1/ue_count", "2"}, {"mc1/ue_noinfo_count", "2"},
                             {"mc1/dimm0/dimm_ce_count", "7"}}) {
    tree.Write(mc + file, std::string(value) + "\n");
  }
  tree.Write(mc + "power/control", "auto\n");
  auto controllers = ReadEdac(tree.sys(), tree.buffer);
  REQUIRE(controllers.ok());
  REQUIRE(controllers->size() == 2);
  const EdacController& mc0 = (*controllers)[0];
  CHECK(mc0.number == "0");
  CHECK(mc0.correctable == 5);
  CHECK(mc0.correctable_noinfo == 1);
  REQUIRE(mc0.csrows.size() == 2);
  CHECK(mc0.csrows[1].number == "12");  // the digits after "csrow"
  CHECK(mc0.csrows[1].uncorrectable == 2);
  CHECK((*controllers)[1].correctable == 4294967301u);
  CHECK((*controllers)[1].csrows.empty());
  tree.Remove(mc + "mc1/ue_noinfo_count");
  auto missing = ReadEdac(tree.sys(), tree.buffer);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().path == (tree.path() / (mc + "mc1/ue_noinfo_count")).string());
}

TEST_CASE("ReadThermalZones and ReadCoolingDevices", "[sysfs]") {
  SysTree tree;
  CHECK(ReadThermalZones(tree.sys(), tree.buffer)->empty());
  CHECK(ReadCoolingDevices(tree.sys(), tree.buffer)->empty());
  const std::string t = "class/thermal/";
  for (auto [file, value] : {std::pair{"thermal_zone0/type", "x86_pkg_temp"},
                             {"thermal_zone0/policy", "step_wise"}, {"thermal_zone0/temp", "45000"},
                             {"thermal_zone0/mode", "enabled"},
                             {"thermal_zone1/type", "acpitz"}, {"thermal_zone1/policy", "step_wise"},
                             {"thermal_zone1/temp", "-2500"}, {"thermal_zone1/passive", "0"},
                             {"cooling_device0/type", "Processor"}, {"cooling_device0/max_state", "3"},
                             {"cooling_device0/cur_state", "0"},
                             {"cooling_device1/type", "intel_powerclamp"},
                             {"cooling_device1/max_state", "50"}, {"cooling_device1/cur_state", "-1"}}) {
    tree.Write(t + file, std::string(value) + "\n");
  }
  tree.Write(t + "thermal_zone/type", "not a zone\n");
  auto zones = ReadThermalZones(tree.sys(), tree.buffer);
  REQUIRE(zones.ok());
  REQUIRE(zones->size() == 2);
  CHECK((*zones)[0].zone == "0");
  CHECK((*zones)[0].type == "x86_pkg_temp");
  CHECK((*zones)[0].temp == 45000);
  CHECK((*zones)[1].temp == -2500);
  auto devices = ReadCoolingDevices(tree.sys(), tree.buffer);
  REQUIRE(devices.ok());
  REQUIRE(devices->size() == 2);
  CHECK((*devices)[1].name == "1");
  CHECK((*devices)[1].type == "intel_powerclamp");
  CHECK((*devices)[1].cur_state == -1);
  CHECK((*devices)[1].max_state == 50);
  SECTION("errors: a passive that is not a number, a missing temp, a bad state") {
    tree.Write(t + "thermal_zone1/passive", "-1\n");
    CHECK(ReadThermalZones(tree.sys(), tree.buffer).error().code == Errc::kParse);
    tree.Remove(t + "thermal_zone1/passive");
    tree.Remove(t + "thermal_zone1/temp");
    CHECK(ReadThermalZones(tree.sys(), tree.buffer).error().code == Errc::kNotFound);
    tree.Write(t + "cooling_device0/max_state", "3.0\n");
    auto bad = ReadCoolingDevices(tree.sys(), tree.buffer);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == Errc::kParse);
    CHECK(bad.error().path == (tree.path() / (t + "cooling_device0/max_state")).string());
  }
}

TEST_CASE("ReadPowerSupplies", "[sysfs]") {
  SysTree tree;
  CHECK(ReadPowerSupplies(tree.sys(), tree.buffer).error().code == Errc::kNotFound);
  const std::string ps = "class/power_supply/";
  tree.Write(ps + "AC/online", "1\n");
  tree.Write(ps + "AC/type", "Mains\n");
  tree.Write(ps + "AC/power/control", "auto\n");  // a directory: skipped
  tree.Write(ps + "BAT0/capacity", "83\n");
  tree.Write(ps + "BAT0/temp", "-105\n");
  tree.Write(ps + "BAT0/charge_control_limit", "0x10\n");  // Go's base 0
  tree.Write(ps + "BAT0/energy_full_design", "1_000\n");
  tree.Write(ps + "BAT0/model_name", "MX \xff\n");
  tree.Write(ps + "BAT0/serial_number", " 1234\n");
  tree.Write(ps + "BAT0/charge_behaviour", "[auto] inhibit-charge\n");  // read, not kept
  tree.Write(ps + "BAT0/current_avg", "5\n");                           // kept, not exported
  auto supplies = ReadPowerSupplies(tree.sys(), tree.buffer);
  REQUIRE(supplies.ok());
  REQUIRE(supplies->size() == 2);
  const PowerSupply& ac = (*supplies)[0];
  CHECK(ac.name == "AC");
  CHECK(ac.numbers == std::vector<std::pair<std::string_view, std::int64_t>>{{"online", 1}});
  CHECK(ac.texts == std::vector<std::pair<std::string_view, std::string>>{{"type", "Mains"}});
  const PowerSupply& bat = (*supplies)[1];
  CHECK(bat.numbers == std::vector<std::pair<std::string_view, std::int64_t>>{
                           {"capacity", 83}, {"charge_control_limit", 16}, {"current_avg", 5},
                           {"energy_full_design", 1000}, {"temp", -105}});
  CHECK(bat.texts == std::vector<std::pair<std::string_view, std::string>>{
                         {"model_name", "MX \xef\xbf\xbd"}, {"serial_number", "1234"}});
  SECTION("a number that is not one is an error") {
    tree.Write(ps + "BAT0/capacity", "Unknown\n");
    auto bad = ReadPowerSupplies(tree.sys(), tree.buffer);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == Errc::kParse);
    CHECK(bad.error().path == (tree.path() / (ps + "BAT0/capacity")).string());
  }
  SECTION("an entry that is not a directory: an error; one that points nowhere: kNotFound") {
    tree.Write(ps + "stray", "x\n");
    CHECK(ReadPowerSupplies(tree.sys(), tree.buffer).error().code == Errc::kIo);
    tree.Remove(ps + "stray");
    tree.Symlink(ps + "BAT1", "../../devices/gone");
    CHECK(ReadPowerSupplies(tree.sys(), tree.buffer).error().code == Errc::kNotFound);
  }
}

TEST_CASE("RaplIndexAndName and ReadRaplZones", "[sysfs]") {
  std::map<std::string, std::int64_t, std::less<>> seen;
  using IndexName = std::pair<std::int64_t, std::string>;
  CHECK(RaplIndexAndName("package-0", seen) == IndexName{0, "package"});
  CHECK(RaplIndexAndName("dram", seen) == IndexName{0, "dram"});
  CHECK(RaplIndexAndName("dram", seen) == IndexName{1, "dram"});
  CHECK(RaplIndexAndName("package", seen) == IndexName{1, "package"});  // counted from package-0
  CHECK(RaplIndexAndName("package-1", seen) == IndexName{1, "package"});
  CHECK(RaplIndexAndName("core-+3", seen) == IndexName{3, "core"});      // strconv.Atoi takes a sign
  CHECK(RaplIndexAndName("a-b-1", seen) == IndexName{0, "a-b-1"});       // two dashes: no index
  CHECK(RaplIndexAndName("psys-", seen) == IndexName{0, "psys-"});
  CHECK(RaplIndexAndName("big-9223372036854775807", seen).first == 9223372036854775807);
  CHECK(RaplIndexAndName("big", seen).first == std::numeric_limits<std::int64_t>::min());  // Go's int wraps

  SysTree tree;
  CHECK(ReadRaplZones(tree.sys(), tree.buffer).error().code == Errc::kNotFound);
  const std::string pc = "class/powercap/";
  tree.Write(pc + "intel-rapl/enabled", "1\n");  // a control type: no name
  tree.Write(pc + "intel-rapl:0/name", "package-0\n");
  tree.Write(pc + "intel-rapl:0/energy_uj", "71294837165\n");
  tree.Write(pc + "intel-rapl:0/max_energy_range_uj", "262143328850\n");
  tree.Write(pc + "intel-rapl:0:2/name", " dram \n");
  tree.Write(pc + "intel-rapl:0:2/energy_uj", "1\n");
  tree.Write(pc + "intel-rapl:0:2/max_energy_range_uj", "65532610987\n");
  auto zones = ReadRaplZones(tree.sys(), tree.buffer);
  REQUIRE(zones.ok());
  REQUIRE(zones->size() == 2);
  CHECK((*zones)[0].entry == "intel-rapl:0");
  CHECK((*zones)[0].name == "package");
  CHECK((*zones)[1].name == "dram");
  CHECK((*zones)[1].max_microjoules == 65532610987u);
  CHECK(*ReadRaplEnergy(tree.sys(), (*zones)[0], tree.buffer) == 71294837165u);
  tree.Remove(pc + "intel-rapl:0:2/max_energy_range_uj");
  CHECK(ReadRaplZones(tree.sys(), tree.buffer).error().code == Errc::kNotFound);
}

TEST_CASE("ReadNvme", "[sysfs]") {
  SysTree tree;
  CHECK(ReadNvme(tree.sys(), tree.buffer).error().code == Errc::kNotFound);
  tree.Write("class/nvme/nvme0/firmware_rev", "2B2QEXM7\n");
  tree.Write("class/nvme/nvme0/model", "Samsung SSD 970 EVO Plus 1TB            \n");
  tree.Write("class/nvme/nvme0/serial", "  S4EWNX0R123456X     \n");
  tree.Write("class/nvme/nvme0/state", "live\n");
  tree.Write("class/nvme/nvme0/cntlid", "6\n");
  auto controllers = ReadNvme(tree.sys(), tree.buffer);
  REQUIRE(controllers.ok());
  REQUIRE(controllers->size() == 1);
  const NvmeController& c = controllers->front();
  CHECK(c.name == "nvme0");
  CHECK(c.firmware_revision == "2B2QEXM7");
  CHECK(c.model == "Samsung SSD 970 EVO Plus 1TB");
  CHECK(c.serial == "S4EWNX0R123456X");
  CHECK(c.state == "live");
  tree.Remove("class/nvme/nvme0/state");
  auto missing = ReadNvme(tree.sys(), tree.buffer);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == Errc::kNotFound);
  CHECK(missing.error().path == (tree.path() / ("class/nvme/nvme0/state")).string());
}

TEST_CASE("ReadScsiTapes", "[sysfs]") {
  SysTree tree;
  CHECK(ReadScsiTapes(tree.sys(), tree.buffer).error().code == Errc::kNotFound);
  const std::string st = "class/scsi_tape/";
  auto write_stats = [&tree, &st](const std::string& tape) {
    for (auto [file, value] : {std::pair{"in_flight", "1"}, {"io_ns", "9247011087720"},
                               {"other_cnt", "0x10"}, {"read_byte_cnt", "4294967296000"},
                               {"read_cnt", "3741"}, {"read_ns", "33788355744"}, {"resid_cnt", "19"},
                               {"write_byte_cnt", "18446744073709551615"}, {"write_cnt", "1_000"},
                               {"write_ns", "0"}}) {
      tree.Write(st + tape + "/stats/" + file, std::string(value) + "\n");
    }
  };
  write_stats("st0");
  tree.Write(st + "nst0/dev", "9:128\n");  // the same drive through another node: not read
  tree.Write(st + "st0a/dev", "9:32\n");
  auto tapes = ReadScsiTapes(tree.sys(), tree.buffer);
  REQUIRE(tapes.ok());
  REQUIRE(tapes->size() == 1);
  const ScsiTape& t = tapes->front();
  CHECK(t.name == "st0");
  CHECK(t.in_flight == 1);
  CHECK(t.io_ns == 9247011087720u);
  CHECK(t.other_cnt == 16);
  CHECK(t.read_byte_cnt == 4294967296000u);
  CHECK(t.write_byte_cnt == 18446744073709551615u);
  CHECK(t.write_cnt == 1000);
  SECTION("a counter missing or not a number is an error; no stats/ is kNotFound") {
    tree.Write(st + "st0/stats/read_ns", "-1\n");
    CHECK(ReadScsiTapes(tree.sys(), tree.buffer).error().code == Errc::kParse);
    tree.Remove(st + "st0/stats/read_ns");
    auto missing = ReadScsiTapes(tree.sys(), tree.buffer);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == Errc::kParse);
    CHECK_THAT(missing.error().detail, Catch::Contains("read_ns"));
    tree.Remove(st + "st0/stats");
    CHECK(ReadScsiTapes(tree.sys(), tree.buffer).error().code == Errc::kNotFound);
  }
}
