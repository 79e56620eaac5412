// One libFuzzer target per /proc (and sysfs/rootfs) file format. This file is compiled once per
// parser with VITALS_FUZZ_PARSER set to its name (tests/fuzz/CMakeLists.txt),
// so each target has its own corpus and its own coverage.
//
// What a run checks: no crash, no sanitizer report (ASan, UBSan), no
// exception (the parsers return errors as values), and for every accepted
// input the few invariants a caller relies on.

#include <re2/re2.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/cpuinfo.h"
#include "collectors/procfs/diskstats.h"
#include "collectors/procfs/file_nr.h"
#include "collectors/procfs/go_text.h"
#include "collectors/procfs/loadavg.h"
#include "collectors/procfs/meminfo.h"
#include "collectors/procfs/mounts.h"
#include "collectors/procfs/net_arp.h"
#include "collectors/procfs/net_conntrack.h"
#include "collectors/procfs/net_dev.h"
#include "collectors/procfs/net_ip_vs.h"
#include "collectors/procfs/net_rpc.h"
#include "collectors/procfs/net_snmp.h"
#include "collectors/procfs/net_sockstat.h"
#include "collectors/procfs/net_softnet.h"
#include "collectors/procfs/net_udp.h"
#include "collectors/procfs/pid_io.h"
#include "collectors/procfs/pid_limits.h"
#include "collectors/procfs/pid_stat.h"
#include "collectors/procfs/pid_status.h"
#include "collectors/procfs/pressure.h"
#include "collectors/procfs/rtnetlink.h"
#include "collectors/procfs/schedstat.h"
#include "collectors/procfs/spl_kstat.h"
#include "collectors/procfs/stat.h"
#include "collectors/procfs/sysctl.h"
#include "collectors/procfs/vmstat.h"
#include "collectors/sysfs/go_glob.h"
#include "collectors/sysfs/hwmon.h"
#include "collectors/sysfs/infiniband.h"
#include "collectors/sysfs/os_release.h"
#include "collectors/sysfs/powercap.h"
#include "collectors/sysfs/textfile.h"
#include "collectors/sysfs/udev.h"
#include "text/utf8.h"

namespace vp = vitals::procfs;

namespace {

// A failed parse must say it is a parse failure (never kNotFound and the like,
// which would make a collector report "not supported" for a garbled file).
template <class R>
void CheckError(const R& r) {
  if (!r.ok() && r.error().code != vp::Errc::kParse) {
    std::abort();
  }
}

// A sysfs attribute's text through Go's rules (collectors/procfs/go_text.h, text/utf8.h).
void FuzzAttribute(std::string_view text) {
  namespace vt = vitals::text;
  const std::string_view trimmed = vp::detail::GoTrimSpace(text);
  if (text.find(trimmed) == std::string_view::npos || vp::detail::GoTrimSpace(trimmed) != trimmed) {
    std::abort();
  }
  const std::string valid = vt::GoToValidUtf8(text);
  if (!vt::ValidUtf8(valid) || (vt::ValidUtf8(text) && valid != text)) {
    std::abort();
  }
  // Base 10 is what from_chars reads: the same numbers, the same refusals.
  std::uint64_t u = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), u);
  const bool plain = ec == std::errc() && end == text.data() + text.size();
  auto parsed = vp::detail::GoParseUint(text, 10);
  if (parsed.has_value() != plain || (plain && *parsed != u)) {
    std::abort();
  }
  // Base 0 reads every base 10 number that does not start with 0.
  if (plain && text[0] != '0' && vp::detail::GoParseUint(text, 0) != u) {
    std::abort();
  }
  (void)vp::detail::GoParseInt(text, 0);
  (void)vp::detail::GoParseInt(text, 10);
  (void)vp::detail::GoParseFloat(text);
}

// An hwmon attribute file name: split as Go's regexp splits it (RE2 has
// Go's syntax and leftmost-first semantics), and a chip name cleaned. RE2
// reads the name as Latin-1: Go reads an invalid UTF-8 byte as U+FFFD, which
// [^0-9] and . match, where RE2's UTF-8 mode matches nothing; the pattern's
// only special characters are ASCII, so bytes split where runes would.
RE2::Options Latin1() {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);
  return options;
}

void FuzzHwmonName(std::string_view name) {
  static const RE2 pattern(R"(^([^0-9]+)([0-9]*)?(_(.+))?$)", Latin1());
  re2::StringPiece type, id, underscore_property, property;
  const bool matched = RE2::FullMatch(re2::StringPiece(name.data(), name.size()), pattern, &type,
                                      &id, &underscore_property, &property);
  auto split = vitals::sysfs::ParseHwmonFileName(name);
  // A number past int64 makes Go's strconv.Atoi, and so the split, fail.
  const bool fits = !matched || id.empty() || vp::detail::GoParseInt(
                                                  std::string_view(id.data(), id.size()), 10);
  if (split.has_value() != (matched && fits)) {
    std::abort();
  }
  if (split && (split->type != std::string_view(type.data(), type.size()) ||
                split->property != std::string_view(property.data(), property.size()))) {
    std::abort();
  }
  const std::string clean = vitals::sysfs::CleanHwmonName(name);
  for (char c : clean) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_')) {
      std::abort();
    }
  }
  if (!clean.empty() && (clean.front() == '_' || clean.back() == '_')) {
    std::abort();
  }
  std::map<std::string, std::int64_t, std::less<>> seen;
  (void)vitals::sysfs::RaplIndexAndName(name, seen);
}

void Fuzz(std::string_view text) {
  const std::string_view parser = VITALS_FUZZ_PARSER;
  if (parser == "stat") {
    auto r = vp::ParseStat(text);
    CheckError(r);
  } else if (parser == "meminfo") {
    auto r = vp::ParseMeminfo(text);
    CheckError(r);
  } else if (parser == "loadavg") {
    auto r = vp::ParseLoadavg(text);
    CheckError(r);
  } else if (parser == "file_nr") {
    auto r = vp::ParseFileNr(text);
    CheckError(r);
  } else if (parser == "sysctl") {
    auto r = vp::ParseSysctlNumber("sys/kernel/pid_max", text);
    CheckError(r);
  } else if (parser == "pid_stat") {
    auto r = vp::ParsePidStat(text);
    CheckError(r);
    // comm lies between the first '(' and the last ')': a view of the input.
    if (r.ok() && text.find(r->comm) == std::string_view::npos) {
      std::abort();
    }
  } else if (parser == "pid_status") {
    auto r = vp::ParsePidStatus(text);
    CheckError(r);
  } else if (parser == "pid_limits") {
    auto r = vp::ParsePidLimits(text);
    CheckError(r);
  } else if (parser == "pid_io") {
    auto r = vp::ParsePidIo(text);
    CheckError(r);
  } else if (parser == "vmstat") {
    CheckError(vp::ParseVmstat(text));
  } else if (parser == "pressure") {
    CheckError(vp::ParsePsi("io", text));
  } else if (parser == "schedstat") {
    CheckError(vp::ParseSchedstat(text));
  } else if (parser == "cpuinfo") {
    CheckError(vp::ParseCpuInfo(text));
  } else if (parser == "net_udp") {
    CheckError(vp::ParseUdpQueues("net/udp", text));
  } else if (parser == "net_sockstat") {
    CheckError(vp::ParseSockstat("net/sockstat", text));
  } else if (parser == "net_softnet") {
    CheckError(vp::ParseSoftnet(text));
  } else if (parser == "net_snmp") {
    CheckError(vp::ParseSnmpPairs("net/snmp", text));
    CheckError(vp::ParseSnmp6(text));
  } else if (parser == "net_rpc") {
    CheckError(vp::ParseNfsClientStats(text));
    CheckError(vp::ParseNfsServerStats(text));
  } else if (parser == "spl_kstat") {
    std::vector<vp::KstatValue> values;
    CheckError(vp::ParseKstatNamed("arcstats", text, values));
    CheckError(vp::ParseKstatIo("tank/io", text, values));
    (void)vp::ParseKstatPoolState(text);
  } else if (parser == "textfile") {
    auto r = vitals::sysfs::ParseTextfile("x.prom", text);
    CheckError(r);
    // What the collector relies on: no family without samples, label values
    // that are UTF-8.
    if (r.ok()) {
      for (const auto& family : *r) {
        if (family.metrics.empty() || family.name.empty()) {
          std::abort();
        }
        for (const auto& metric : family.metrics) {
          for (const auto& label : metric.labels) {
            if (!vitals::text::ValidUtf8(label.value)) {
              std::abort();
            }
          }
        }
      }
    }
    // Go's Match: the first line as the pattern, the second as the name.
    const auto nl = text.find('\n');
    if (nl != std::string_view::npos) {
      std::string_view rest = text.substr(nl + 1);
      (void)vitals::sysfs::GoMatch(text.substr(0, nl), rest.substr(0, rest.find('\n')));
    }
    (void)vitals::sysfs::GoClean(text.substr(0, 4096));
  } else if (parser == "mounts") {
    auto r = vp::ParseMounts("1/mounts", text);
    CheckError(r);
    if (r.ok()) {
      for (const vp::Mount& mount : *r) {
        // Decoding an escape only ever shortens the name.
        if (vp::DecodeMountPath(mount.mount_point).size() > mount.mount_point.size()) {
          std::abort();
        }
      }
    }
  } else if (parser == "diskstats") {
    auto r = vp::ParseDiskstats(text);
    CheckError(r);
    if (r.ok()) {
      for (const vp::DiskStats& disk : *r) {
        if (disk.fields < 14 || disk.fields > 20 || text.find(disk.name) == std::string_view::npos) {
          std::abort();
        }
      }
    }
  } else if (parser == "udev") {
    (void)vitals::sysfs::ParseUdevProperties(text);  // never fails: only no crash
  } else if (parser == "net_dev") {
    vp::NetDev dev;
    auto r = vp::ParseNetDev(text, dev);
    CheckError(r);
    if (r.ok() && dev.values.size() != dev.devices.size() * dev.columns.size()) {
      std::abort();
    }
  } else if (parser == "net_arp") {
    std::vector<vp::ArpDevice> devices;
    CheckError(vp::ParseArp(text, devices));
  } else if (parser == "net_conntrack") {
    CheckError(vp::ParseConntrackStat(text));
  } else if (parser == "net_ip_vs") {
    CheckError(vp::ParseIpVsStats(text));
    std::vector<vp::IpVsBackend> backends;
    CheckError(vp::ParseIpVsBackends(text, backends));
  } else if (parser == "rtnetlink") {
    // The sequence number of the first message, so that input gets past it;
    // an NLMSG_ERROR in the input is an i/o error (with its errno) by design.
    std::uint32_t seq = 0;
    if (text.size() >= 12) {
      std::memcpy(&seq, text.data() + 8, sizeof(seq));
    }
    std::vector<vp::NetlinkLink> links;
    std::vector<vp::NetlinkAddress> addresses;
    auto l = vp::ParseLinkDatagram(text, seq, links);
    auto a = vp::ParseAddressDatagram(text, seq, addresses);
    for (const vp::Error* e : {l.ok() ? nullptr : &l.error(), a.ok() ? nullptr : &a.error()}) {
      if (e != nullptr && e->code != vp::Errc::kParse && e->code != vp::Errc::kIo) {
        std::abort();
      }
    }
    for (const auto& link : links) {
      if (link.stats_count > vp::kLinkStatCount) {
        std::abort();
      }
    }
    for (const auto& address : addresses) {
      if (address.size != 4 && address.size != 16) {
        std::abort();
      }
    }
  } else if (parser == "infiniband") {
    (void)vitals::sysfs::ParseInfiniBandState(text);
    (void)vitals::sysfs::ParseInfiniBandRate(text);
  } else if (parser == "sysfs_attribute") {
    FuzzAttribute(text);
  } else if (parser == "hwmon_name") {
    FuzzHwmonName(text);
  } else if (parser == "os_release") {
    CheckError(vitals::sysfs::ParseOsRelease("etc/os-release", text));
  } else {
    std::abort();  // a target built without a known parser name
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fuzz(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
