#include "collectors/sysfs/hwmon.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <tuple>

#include "collectors/procfs/go_text.h"
#include "collectors/sysfs/attribute.h"
#include "text/utf8.h"

namespace vitals::sysfs {

namespace {

constexpr std::string_view kDir = "class/hwmon";
constexpr std::size_t kReadSize = 128;  // node_exporter reads an attribute with one read(2) of 128 bytes

// The types node_exporter 1.5.0 reads; files of other types are not read.
constexpr std::string_view kSensorTypes[] = {
    "vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm",
    "temp", "curr", "power", "energy", "humidity", "intrusion"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// `.+` of Go's regexp: one or more characters other than a newline.
bool IsDotPlus(std::string_view s) { return !s.empty() && s.find('\n') == std::string_view::npos; }

// The canonical path of `relative` under the root (Go's filepath.EvalSymlinks),
// or nullopt when a component does not exist.
std::optional<std::filesystem::path> Resolve(const procfs::RootDir& sys, std::string_view relative) {
  std::error_code ec;
  auto path = std::filesystem::canonical(sys.root() / relative, ec);
  if (ec) {
    return std::nullopt;
  }
  return path;
}

// Appends the attributes of the known sensor types among `entries` of `dir`.
void ReadAttributes(const procfs::RootDir& sys, const std::string& dir,
                    const std::vector<std::string>& entries, std::string& buffer,
                    std::vector<HwmonAttribute>& out) {
  std::string path;
  for (const std::string& entry : entries) {
    auto name = ParseHwmonFileName(entry);
    if (!name || std::find(std::begin(kSensorTypes), std::end(kSensorTypes), name->type) ==
                     std::end(kSensorTypes)) {
      continue;
    }
    path.assign(dir).append("/").append(entry);
    auto text = sys.ReadOnce(path, kReadSize, buffer);
    if (!text) {
      continue;  // a directory, a driver that answers EAGAIN or EIO: left out
    }
    std::string_view value = *text;
    while (!value.empty() && value.front() == '\n') {
      value.remove_prefix(1);
    }
    while (!value.empty() && value.back() == '\n') {
      value.remove_suffix(1);
    }
    std::string sensor(name->type);
    sensor += std::to_string(name->number);
    out.push_back(HwmonAttribute{std::move(sensor), std::string(name->property), std::string(value)});
  }
}

// node_exporter's hwmonName: the chip label (see HwmonChip::chip).
procfs::Result<std::string> ChipLabel(const procfs::RootDir& sys, const std::string& dir,
                                      const std::optional<std::string>& name_file) {
  if (auto device = Resolve(sys, dir + "/device")) {
    std::string device_name = CleanHwmonName(device->filename().string());
    std::string device_type = CleanHwmonName(device->parent_path().filename().string());
    if (!device_type.empty() && !device_name.empty()) {
      return device_type + "_" + device_name;
    }
    if (!device_name.empty()) {
      return device_name;
    }
  }
  if (name_file && !name_file->empty()) {
    if (std::string name = CleanHwmonName(*name_file); !name.empty()) {
      return name;
    }
  }
  if (auto real = Resolve(sys, dir)) {
    if (std::string name = CleanHwmonName(real->filename().string()); !name.empty()) {
      return name;
    }
  }
  return procfs::ParseError(dir, "could not derive a chip name: no device, name file or usable directory name");
}

}  // namespace

std::optional<HwmonFileName> ParseHwmonFileName(std::string_view name) {
  // Go's regexp prefers the longest [^0-9]+, then all the digits; only when
  // the rest is then neither empty nor "_" and more does it give back
  // non-digits, down to the last '_' that leaves a property.
  std::size_t type_end = 0;
  while (type_end < name.size() && !IsDigit(name[type_end])) {
    ++type_end;
  }
  if (type_end == 0) {
    return std::nullopt;
  }
  std::size_t digits_end = type_end;
  while (digits_end < name.size() && IsDigit(name[digits_end])) {
    ++digits_end;
  }
  std::string_view rest = name.substr(digits_end);
  if (rest.empty() || (rest[0] == '_' && IsDotPlus(rest.substr(1)))) {
    HwmonFileName out{name.substr(0, type_end), 0, rest.empty() ? rest : rest.substr(1)};
    if (digits_end > type_end) {
      auto number = procfs::detail::GoParseInt(name.substr(type_end, digits_end - type_end), 10);
      if (!number) {
        return std::nullopt;  // strconv.Atoi fails past int64
      }
      out.number = *number;
    }
    return out;
  }
  for (std::size_t k = type_end - 1; k >= 1; --k) {
    if (name[k] == '_' && IsDotPlus(name.substr(k + 1))) {
      return HwmonFileName{name.substr(0, k), 0, name.substr(k + 1)};
    }
  }
  return std::nullopt;
}

std::string CleanHwmonName(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t n = text::Utf8SequenceLength(text);
    if (n == 1) {
      char c = text[0] >= 'A' && text[0] <= 'Z' ? static_cast<char>(text[0] + 32) : text[0];
      bool keep = (c >= 'a' && c <= 'z') || IsDigit(c) || c == ':' || c == '_';
      out += keep ? c : '_';
    } else if (text.substr(0, n) == "\xc4\xb0") {  // U+0130, whose lower case is 'i'
      out += 'i';
    } else if (text.substr(0, n) == "\xe2\x84\xaa") {  // U+212A KELVIN SIGN: 'k'
      out += 'k';
    } else {
      out += '_';  // any other character, or one byte that is not UTF-8
    }
    text.remove_prefix(n == 0 ? 1 : n);
  }
  const std::size_t first = out.find_first_not_of('_');
  if (first == std::string::npos) {
    return {};
  }
  return out.substr(first, out.find_last_not_of('_') - first + 1);
}

procfs::Result<std::vector<HwmonChip>> ReadHwmon(const procfs::RootDir& sys, std::string& buffer) {
  auto entries = sys.TypedEntries(kDir);
  if (!entries) {
    return entries.error();
  }
  std::vector<HwmonChip> out;
  std::optional<procfs::Error> last_error;
  for (const auto& entry : *entries) {
    using Type = procfs::RootDir::EntryType;
    if (entry.type != Type::kDirectory && entry.type != Type::kSymlink) {
      continue;
    }
    const std::string dir = std::string(kDir) + "/" + entry.name;
    auto files = sys.Entries(dir);
    if (!files) {
      const int err = files.error().sys_errno;
      if (entry.type == Type::kSymlink && (err == ENOENT || err == ENOTDIR || err == ELOOP)) {
        continue;  // points nowhere, or not to a directory
      }
      last_error = files.error();
      continue;
    }
    std::optional<std::string> name_file;
    if (auto name = sys.ReadInto(dir + "/name", buffer)) {
      name_file.emplace(*name);
    }
    auto label = ChipLabel(sys, dir, name_file);
    if (!label) {
      last_error = label.error();
      continue;
    }
    HwmonChip chip;
    chip.chip = std::move(*label);
    if (name_file && !name_file->empty()) {
      chip.chip_name = CleanHwmonName(*name_file);
    }
    ReadAttributes(sys, dir, *files, buffer, chip.attributes);
    const std::string device = dir + "/device";
    if (sys.DirectorySize(device)) {  // os.Stat: it exists, whatever it is
      auto device_files = sys.Entries(device);
      if (!device_files) {
        last_error = device_files.error();
        continue;
      }
      ReadAttributes(sys, device, *device_files, buffer, chip.attributes);
    }
    // Go's map: the last value read for a sensor and property wins.
    std::stable_sort(chip.attributes.begin(), chip.attributes.end(),
                     [](const HwmonAttribute& a, const HwmonAttribute& b) {
                       return std::tie(a.sensor, a.property) < std::tie(b.sensor, b.property);
                     });
    auto& attributes = chip.attributes;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < attributes.size(); ++i) {
      const bool last_of_run = i + 1 == attributes.size() ||
                               attributes[i].sensor != attributes[i + 1].sensor ||
                               attributes[i].property != attributes[i + 1].property;
      if (last_of_run) {
        if (kept != i) {
          attributes[kept] = std::move(attributes[i]);
        }
        ++kept;
      }
    }
    attributes.resize(kept);
    out.push_back(std::move(chip));
  }
  procfs::RootDir::ReleaseLargeBuffer(buffer);
  if (last_error) {
    return *last_error;
  }
  return out;
}

}  // namespace vitals::sysfs
