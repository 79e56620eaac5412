// collectors/sysfs/hwmon.h: attribute names split as node_exporter's regexp
// splits them, chip names as it derives them, and the chips of a temporary
// class/hwmon with the kernel's symlinks.

#include <catch2/catch.hpp>

#include <re2/re2.h>

#include <filesystem>
#include <random>
#include <string>

#include "collectors/sysfs/attribute.h"
#include "collectors/sysfs/hwmon.h"
#include "tests/unit/open_tree.h"
#include "tests/unit/temp_tree.h"

using namespace vitals::sysfs;
using vitals::procfs::Errc;
using vitals::procfs::RootDir;
using vitals::testing::OpenRootDir;
using vitals::testing::TempTree;

namespace {

struct Split {
  std::string type;
  std::int64_t number;
  std::string property;
  bool operator==(const Split&) const = default;
};

std::optional<Split> Parse(std::string_view name) {
  auto r = ParseHwmonFileName(name);
  if (!r) {
    return std::nullopt;
  }
  return Split{std::string(r->type), r->number, std::string(r->property)};
}

const HwmonChip* Find(const std::vector<HwmonChip>& chips, std::string_view chip) {
  for (const auto& c : chips) {
    if (c.chip == chip) {
      return &c;
    }
  }
  return nullptr;
}

std::optional<std::string> Value(const HwmonChip& chip, std::string_view sensor,
                                 std::string_view property) {
  for (const auto& a : chip.attributes) {
    if (a.sensor == sensor && a.property == property) {
      return a.value;
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("ParseHwmonFileName: node_exporter's pattern as Go's regexp matches it", "[sysfs]") {
  CHECK(Parse("temp1_input") == Split{"temp", 1, "input"});
  CHECK(Parse("temp1_crit_alarm") == Split{"temp", 1, "crit_alarm"});
  CHECK(Parse("pwm1_auto_point1_pwm") == Split{"pwm", 1, "auto_point1_pwm"});
  CHECK(Parse("pwm1") == Split{"pwm", 1, ""});
  CHECK(Parse("beep_enable") == Split{"beep_enable", 0, ""});
  CHECK(Parse("update_interval") == Split{"update_interval", 0, ""});
  CHECK(Parse("vrm") == Split{"vrm", 0, ""});
  CHECK(Parse("temp01_input") == Split{"temp", 1, "input"});  // the same sensor as temp1
  CHECK(Parse("temp_input") == Split{"temp_input", 0, ""});    // the longest non-digit prefix
  CHECK(Parse("in_0") == Split{"in_", 0, ""});
  // Go reads an invalid UTF-8 byte as U+FFFD, which [^0-9] and '.' match.
  CHECK(Parse("pwm1_a\xbbto_point1_pwm") == Split{"pwm", 1, "a\xbbto_point1_pwm"});
  CHECK(Parse("\xbb" "1_input") == Split{"\xbb", 1, "input"});
  // The rest after the digits is neither empty nor "_...": Go's regexp gives
  // back non-digits down to the last '_'.
  CHECK(Parse("beep_enable1x") == Split{"beep", 0, "enable1x"});
  CHECK_FALSE(Parse("fan1_"));
  CHECK_FALSE(Parse("1temp"));
  CHECK_FALSE(Parse(""));
  CHECK_FALSE(Parse("temp1x"));
  CHECK_FALSE(Parse("temp1_a\nb"));                       // '.' is not a newline
  CHECK_FALSE(Parse("temp99999999999999999999_input"));  // strconv.Atoi fails past int64
}

TEST_CASE("ParseHwmonFileName agrees with RE2 (Go's syntax and semantics) on random names",
          "[sysfs]") {
  const RE2 pattern(R"(^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$)");
  REQUIRE(pattern.ok());
  std::mt19937 random(7);
  constexpr std::string_view kAlphabet = "te_1_0\nx9_";
  for (int i = 0; i < 50000; ++i) {
    std::string name;
    for (std::size_t n = random() % 10; n > 0; --n) {
      name += kAlphabet[random() % kAlphabet.size()];
    }
    CAPTURE(name);
    re2::StringPiece type, id, underscore_property, property;
    const bool matched = RE2::FullMatch(name, pattern, &type, &id, &underscore_property, &property);
    auto got = Parse(name);
    REQUIRE(got.has_value() == matched);
    if (matched) {
      CHECK(got->type == std::string(type.data(), type.size()));
      CHECK(got->number == (id.empty() ? 0 : std::stoll(std::string(id.data(), id.size()))));
      CHECK(got->property == std::string(property.data(), property.size()));
    }
  }
}

TEST_CASE("CleanHwmonName: node_exporter's cleanMetricName", "[sysfs]") {
  CHECK(CleanHwmonName("coretemp\n") == "coretemp");
  CHECK(CleanHwmonName("Package id 0") == "package_id_0");
  CHECK(CleanHwmonName("coretemp.0") == "coretemp_0");
  CHECK(CleanHwmonName("ACPI000D:00") == "acpi000d:00");
  CHECK(CleanHwmonName("__a__b__") == "a__b");
  CHECK(CleanHwmonName("THERM K\xe2\x84\xaa-1 \xc3\xa9") == "therm_kk_1");  // KELVIN SIGN lowers to k
  CHECK(CleanHwmonName("\xc4\xb0X") == "ix");                              // U+0130 lowers to i
  CHECK(CleanHwmonName("a\xff\xfe" "b") == "a__b");  // one '_' per byte that is not UTF-8
  CHECK(CleanHwmonName("\xc3\xa9").empty());
  CHECK(CleanHwmonName("").empty());
}

TEST_CASE("ReadHwmon: chips, their names and attributes", "[sysfs]") {
  TempTree tree;
  const RootDir sys = OpenRootDir(tree.path());
  std::string buffer;
  SECTION("no class/hwmon: kNotFound") {
    auto chips = ReadHwmon(sys, buffer);
    REQUIRE_FALSE(chips.ok());
    CHECK(chips.error().code == Errc::kNotFound);
    CHECK(chips.error().path == "class/hwmon");
  }
  SECTION("the kernel's layout: names from the device, the name file, the directory") {
    tree.Write("devices/platform/coretemp.0/hwmon/hwmon1/name", "coretemp\n");
    tree.Write("devices/platform/coretemp.0/hwmon/hwmon1/temp1_input", "45000\n");
    tree.Write("devices/platform/coretemp.0/hwmon/hwmon1/temp1_label", "Package id 0\n");
    tree.Write("devices/platform/coretemp.0/modalias", "platform:coretemp\n");
    tree.Mkdir("devices/platform/coretemp.0/power");  // a "power" entry that is a directory
    tree.Symlink("class/hwmon/hwmon1", "../../devices/platform/coretemp.0/hwmon/hwmon1");
    tree.Symlink("devices/platform/coretemp.0/hwmon/hwmon1/device", "../../../coretemp.0");
    // An old driver: the attributes (and the name) in the device's directory.
    tree.Write("devices/platform/it87.2608/name", "it8728\n");
    tree.Write("devices/platform/it87.2608/temp1_input", "42000\n");
    tree.Write("devices/platform/it87.2608/hwmon/hwmon4/temp1_input", "1\n");
    tree.Symlink("class/hwmon/hwmon4", "../../devices/platform/it87.2608/hwmon/hwmon4");
    tree.Symlink("devices/platform/it87.2608/hwmon/hwmon4/device", "../../../it87.2608");
    // A plain directory with a name; one with neither name nor device.
    tree.Write("class/hwmon/hwmon0/name", "Acpi TZ\n");
    tree.Write("class/hwmon/hwmon0/temp1_input", "27800\n");
    tree.Write("devices/virtual/hwmon/hwmon8/temp1_input", "31000\n");
    tree.Symlink("class/hwmon/hwmon8", "../../devices/virtual/hwmon/hwmon8");
    // A device link that points nowhere: the name file names it.
    tree.Write("devices/virtual/hwmon/hwmon7/name", "dangling\n");
    tree.Symlink("devices/virtual/hwmon/hwmon7/device", "../../../nonexistent");
    tree.Symlink("class/hwmon/hwmon7", "../../devices/virtual/hwmon/hwmon7");
    // Not chips: a link to nothing, a link to a file, a file.
    tree.Symlink("class/hwmon/hwmon9", "../../devices/virtual/hwmon/gone");
    tree.Write("devices/virtual/hwmon/file", "x\n");
    tree.Symlink("class/hwmon/hwmon10", "../../devices/virtual/hwmon/file");
    tree.Write("class/hwmon/README", "x\n");

    auto chips = ReadHwmon(sys, buffer);
    REQUIRE(chips.ok());
    REQUIRE(chips->size() == 5);
    CHECK((*chips)[0].chip == "acpi_tz");  // hwmon0: its name file
    CHECK((*chips)[0].chip_name == "acpi_tz");
    const HwmonChip* coretemp = Find(*chips, "platform_coretemp_0");
    REQUIRE(coretemp != nullptr);
    CHECK(coretemp->chip_name == "coretemp");
    CHECK(Value(*coretemp, "temp1", "input") == "45000");
    CHECK(Value(*coretemp, "temp1", "label") == "Package id 0");
    CHECK_FALSE(Value(*coretemp, "power0", ""));  // a directory: not read
    const HwmonChip* it87 = Find(*chips, "platform_it87_2608");
    REQUIRE(it87 != nullptr);
    CHECK(it87->chip_name.empty());  // no name file in hwmon4 itself
    CHECK(Value(*it87, "temp1", "input") == "42000");  // the device's wins
    const HwmonChip* dangling = Find(*chips, "dangling");
    REQUIRE(dangling != nullptr);
    CHECK(Value(*dangling, "temp1", "input") == std::nullopt);  // no file there
    CHECK(Find(*chips, "hwmon8") != nullptr);
  }
  SECTION("values: 128 bytes, only newlines trimmed; the last of one sensor and property wins") {
    tree.Write("class/hwmon/hwmon0/name", "x\n");
    tree.Write("class/hwmon/hwmon0/temp1_label", "CPU Temp \n");
    tree.Write("class/hwmon/hwmon0/temp2_input", " 42000\n");
    tree.Write("class/hwmon/hwmon0/temp3_label", std::string(130, 'y') + "\n");
    tree.Write("class/hwmon/hwmon0/temp01_input", "7000\n");
    tree.Write("class/hwmon/hwmon0/temp1_input", "-5000\n");
    tree.Write("class/hwmon/hwmon0/unknown1_input", "1\n");
    tree.Mkdir("class/hwmon/hwmon0/temp4_input");
    auto chips = ReadHwmon(sys, buffer);
    REQUIRE(chips.ok());
    REQUIRE(chips->size() == 1);
    const HwmonChip& chip = chips->front();
    CHECK(Value(chip, "temp1", "label") == "CPU Temp ");
    CHECK(Value(chip, "temp2", "input") == " 42000");
    CHECK(Value(chip, "temp3", "label") == std::string(128, 'y'));
    CHECK(Value(chip, "temp1", "input") == "-5000");  // temp1_input sorts after temp01_input
    CHECK_FALSE(Value(chip, "unknown1", "input"));
    CHECK_FALSE(Value(chip, "temp4", "input"));
    for (std::size_t i = 1; i < chip.attributes.size(); ++i) {
      CHECK(std::tie(chip.attributes[i - 1].sensor, chip.attributes[i - 1].property) <
            std::tie(chip.attributes[i].sensor, chip.attributes[i].property));
    }
  }
}
