#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "agent/flags.h"

using vitals::ListenAddress;
using vitals::Options;
using vitals::ParseFlags;
using vitals::ParseListenAddress;
using vitals::collectors::CollectorRegistry;

namespace {

const CollectorRegistry& Registry() { return CollectorRegistry::Builtin(); }

Options Parse(const std::vector<std::string>& args) {
  auto r = ParseFlags(args, Registry());
  if (auto* err = std::get_if<std::string>(&r)) {
    FAIL("unexpected error: " << *err);
  }
  return std::get<Options>(r);
}

std::string Error(const std::vector<std::string>& args) {
  auto r = ParseFlags(args, Registry());
  REQUIRE(std::holds_alternative<std::string>(r));
  const std::string& err = std::get<std::string>(r);
  CHECK(err.find('\n') == std::string::npos);  // one line
  return err;
}

std::vector<std::string> Defaults() {
  std::vector<std::string> out;
  for (const auto& info : Registry().all()) {
    if (info.enabled_by_default) {
      out.emplace_back(info.name);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("ParseFlags", "[agent]") {
  SECTION("no flags: defaults") {
    Options o = Parse({});
    CHECK(o.listen.host.empty());
    CHECK(o.listen.port == 9810);
    CHECK(o.telemetry_path == "/metrics");
    CHECK(o.procfs == "/proc");
    CHECK(o.sysfs == "/sys");
    CHECK(o.log_level == vitals::log::Level::kInfo);
    CHECK(o.log_format == vitals::log::Format::kLogfmt);
    CHECK_FALSE(o.help);
    CHECK_FALSE(o.version);
    CHECK(o.collectors == Defaults());
    CHECK(o.collectors.size() >= 6);
  }
  SECTION("--flag value and --flag=value are the same") {
    Options a = Parse({"--path.procfs", "/host/proc", "--log.level", "debug"});
    Options b = Parse({"--path.procfs=/host/proc", "--log.level=debug"});
    CHECK(a.procfs == "/host/proc");
    CHECK(b.procfs == "/host/proc");
    CHECK(a.log_level == vitals::log::Level::kDebug);
    CHECK(b.log_level == vitals::log::Level::kDebug);
    Options c = Parse({"--web.listen-address", "127.0.0.1:0", "--log.format=json",
                       "--web.telemetry-path", "/m", "--path.sysfs=/host/sys"});
    CHECK(c.listen.host == "127.0.0.1");
    CHECK(c.listen.port == 0);
    CHECK(c.log_format == vitals::log::Format::kJson);
    CHECK(c.telemetry_path == "/m");
    CHECK(c.sysfs == "/host/sys");
  }
  SECTION("a value may contain '=' and may be empty after '='") {
    Options o = Parse({"--path.procfs=/a=b"});
    CHECK(o.procfs == "/a=b");
  }
  SECTION("--help and --version") {
    CHECK(Parse({"--help"}).help);
    CHECK(Parse({"--version"}).version);
    CHECK_THAT(Error({"--help=yes"}), Catch::Contains("takes no value"));
  }
  SECTION("unknown flags and stray arguments") {
    CHECK_THAT(Error({"--nope"}), Catch::Contains("unknown flag --nope"));
    CHECK_THAT(Error({"--nope=1"}), Catch::Contains("unknown flag --nope"));
    CHECK_THAT(Error({"-h"}), Catch::Contains("\"-h\""));
    CHECK_THAT(Error({"metrics"}), Catch::Contains("\"metrics\""));
    CHECK_THAT(Error({"--path.procfs"}), Catch::Contains("--path.procfs needs a value"));
  }
  SECTION("bad values name the flag") {
    CHECK_THAT(Error({"--log.level=verbose"}), Catch::Contains("--log.level") &&
                                                   Catch::Contains("verbose"));
    CHECK_THAT(Error({"--log.format", "xml"}), Catch::Contains("--log.format"));
    CHECK_THAT(Error({"--web.telemetry-path=metrics"}), Catch::Contains("--web.telemetry-path"));
    CHECK_THAT(Error({"--web.telemetry-path=/"}), Catch::Contains("--web.telemetry-path"));
    CHECK_THAT(Error({"--web.listen-address=abc"}),
               Catch::Contains("--web.listen-address") && Catch::Contains("\"abc\""));
  }
  SECTION("--no-collector.X turns one off, --collector.X turns one on") {
    Options o = Parse({"--no-collector.cpu"});
    std::vector<std::string> expected = Defaults();
    expected.erase(std::find(expected.begin(), expected.end(), "cpu"));
    CHECK(o.collectors == expected);
    // The last switch for a collector wins.
    CHECK(Parse({"--no-collector.cpu", "--collector.cpu"}).collectors == Defaults());
    CHECK(Parse({"--collector.cpu", "--no-collector.cpu"}).collectors == expected);
  }
  SECTION("unknown collector") {
    CHECK_THAT(Error({"--collector.nope"}), Catch::Contains("unknown collector") &&
                                                Catch::Contains("collector.nope"));
    CHECK_THAT(Error({"--no-collector.nope"}), Catch::Contains("unknown collector"));
    CHECK_THAT(Error({"--collector.cpu=false"}), Catch::Contains("takes no value"));
  }
  SECTION("--collector.disable-defaults with one re-enabled, in either order") {
    CHECK(Parse({"--collector.disable-defaults", "--collector.loadavg"}).collectors ==
          std::vector<std::string>{"loadavg"});
    CHECK(Parse({"--collector.meminfo", "--collector.disable-defaults"}).collectors ==
          std::vector<std::string>{"meminfo"});
    CHECK(Parse({"--collector.disable-defaults"}).collectors.empty());
    // Enabled collectors are listed in registry order, not flag order.
    CHECK(Parse({"--collector.disable-defaults", "--collector.stat", "--collector.cpu"})
              .collectors == std::vector<std::string>{"cpu", "stat"});
  }
}

TEST_CASE("ParseFlags: collector flags come from the registry", "[agent]") {
  SECTION("every declared flag has its default") {
    Options o = Parse({});
    CHECK(o.collector_flags.String("collector.vmstat.fields") == "^(oom_kill|pgpg|pswp|pg.*fault).*");
    CHECK(o.collector_flags.Bool("collector.cpu.guest"));
    CHECK_FALSE(o.collector_flags.Bool("collector.cpu.info"));
    CHECK(o.rootfs == "/");
    for (const auto& info : Registry().all()) {
      for (const auto& flag : info.flags) {
        CHECK(o.collector_flags.String(flag.name) == flag.default_value);
      }
    }
  }
  SECTION("values, in both forms") {
    CHECK(Parse({"--collector.vmstat.fields=^nr_"}).collector_flags.String(
              "collector.vmstat.fields") == "^nr_");
    CHECK(Parse({"--collector.netstat.fields", "^Tcp_"}).collector_flags.String(
              "collector.netstat.fields") == "^Tcp_");
    CHECK(Parse({"--path.rootfs=/host"}).rootfs == "/host");
  }
  SECTION("on/off flags: --x, --no-x, --x=BOOL") {
    CHECK(Parse({"--collector.cpu.info"}).collector_flags.Bool("collector.cpu.info"));
    CHECK_FALSE(Parse({"--no-collector.cpu.guest"}).collector_flags.Bool("collector.cpu.guest"));
    CHECK_FALSE(Parse({"--collector.cpu.guest=false"}).collector_flags.Bool("collector.cpu.guest"));
    CHECK(Parse({"--collector.stat.softirq=true"}).collector_flags.Bool("collector.stat.softirq"));
  }
  SECTION("bad values: one line naming the flag and the value") {
    CHECK(Error({"--collector.vmstat.fields=(oom"}) ==
          "invalid --collector.vmstat.fields \"(oom\": not a regular expression: missing ): (oom");
    CHECK(Error({"--collector.cpu.info=maybe"}) ==
          "invalid --collector.cpu.info \"maybe\": expected true or false");
    CHECK_THAT(Error({"--no-collector.cpu.info=true"}), Catch::Contains("takes no value"));
    CHECK_THAT(Error({"--no-collector.vmstat.fields"}), Catch::Contains("--no- form"));
    CHECK_THAT(Error({"--collector.vmstat.fields"}), Catch::Contains("needs a value"));
    CHECK_THAT(Error({"--collector.cpu.nope=1"}),
               Catch::Contains("unknown collector or collector flag --collector.cpu.nope"));
  }
  SECTION("kinds: durations and paths are checked too") {
    static const vitals::collectors::FlagSpec kFlags[] = {
        {"collector.fake.timeout", vitals::collectors::FlagKind::kDuration, "5s", "t"},
        {"collector.fake.dir", vitals::collectors::FlagKind::kPath, "/x", "d"},
    };
    CollectorRegistry registry;
    registry.Register({"fake", "a test collector", true, kFlags, nullptr});
    auto parse = [&](std::vector<std::string> args) { return ParseFlags(args, registry); };
    auto ok = parse({"--collector.fake.timeout=1m30s", "--collector.fake.dir=/y"});
    REQUIRE(std::holds_alternative<Options>(ok));
    CHECK(std::get<Options>(ok).collector_flags.Duration("collector.fake.timeout") ==
          std::chrono::seconds(90));
    auto bad = parse({"--collector.fake.timeout=soon"});
    REQUIRE(std::holds_alternative<std::string>(bad));
    CHECK(std::get<std::string>(bad) ==
          "invalid --collector.fake.timeout \"soon\": expected a duration like \"5s\" or \"500ms\"");
    auto empty = parse({"--collector.fake.dir="});
    REQUIRE(std::holds_alternative<std::string>(empty));
    CHECK(std::get<std::string>(empty) == "invalid --collector.fake.dir \"\": expected a path");
  }
  SECTION("a registry refuses a flag declared twice or a bad default") {
    static const vitals::collectors::FlagSpec kBad[] = {
        {"collector.bad.re", vitals::collectors::FlagKind::kRegex, "(", "r"}};
    CollectorRegistry registry;
    CHECK_THROWS_WITH(registry.Register({"bad", "h", true, kBad, nullptr}),
                      Catch::Contains("--collector.bad.re"));
    static const vitals::collectors::FlagSpec kDup[] = {
        {"collector.vmstat.fields", vitals::collectors::FlagKind::kString, "", "d"}};
    CollectorRegistry twice;
    twice.Register({"vmstat", "h", true, {}, nullptr});
    CHECK_THROWS_WITH(twice.Register({"vmstat", "h", true, {}, nullptr}),
                      Catch::Contains("registered twice"));
    twice.Register({"other", "h", true, kDup, nullptr});
    CHECK_THROWS_WITH(twice.Register({"third", "h", true, kDup, nullptr}),
                      Catch::Contains("declared twice"));
  }
}

TEST_CASE("ParseListenAddress: the listen rules of ParseHostPort, errors naming the flag",
          "[agent]") {
  auto ok = ParseListenAddress("localhost:0");
  REQUIRE(std::holds_alternative<ListenAddress>(ok));
  CHECK(std::get<ListenAddress>(ok).host == "127.0.0.1");
  CHECK(std::get<ListenAddress>(ok).port == 0);
  CHECK(std::get<ListenAddress>(ParseListenAddress(":9810")).ToString() == ":9810");
  auto bad = ParseListenAddress("example.com:80");
  REQUIRE(std::holds_alternative<std::string>(bad));
  CHECK(std::get<std::string>(bad) ==
        "invalid --web.listen-address: a listen address's host must be empty (all interfaces), an "
        "IPv4 address, [IPv6] or localhost, got \"example.com:80\"");
}

TEST_CASE("HelpText lists every flag and collector", "[agent]") {
  std::string help = vitals::HelpText(Registry());
  for (std::string_view flag : {"--web.listen-address", "--web.telemetry-path", "--path.procfs",
                                "--path.sysfs", "--log.level", "--log.format", "--help",
                                "--version", "--collector.disable-defaults"}) {
    CHECK_THAT(help, Catch::Contains(std::string(flag)));
  }
  for (const auto& info : Registry().all()) {
    CHECK_THAT(help, Catch::Contains("--[no-]collector." + std::string(info.name)));
    for (const auto& flag : info.flags) {
      CHECK_THAT(help, Catch::Contains(std::string(flag.name)) &&
                           Catch::Contains(std::string(flag.default_value)));
    }
  }
}

TEST_CASE("ParseFlags: --[no-]compat.exporter-identity", "[agent]") {
  CHECK(Parse({}).exporter_identity);
  CHECK_FALSE(Parse({"--no-compat.exporter-identity"}).exporter_identity);
  CHECK_FALSE(Parse({"--compat.exporter-identity=false"}).exporter_identity);
  CHECK(Parse({"--no-compat.exporter-identity", "--compat.exporter-identity"}).exporter_identity);
  for (const char* bad : {"--compat.exporter-identity=maybe", "--no-compat.exporter-identity=true"}) {
    CAPTURE(bad);
    CHECK_THAT(Error({bad}), Catch::Contains("compat.exporter-identity"));
  }
  CHECK_THAT(vitals::HelpText(vitals::collectors::CollectorRegistry::Builtin()),
             Catch::Contains("--[no-]compat.exporter-identity"));
}

TEST_CASE("ParseFlags: the hidden --testing.* flags for captured trees", "[agent]") {
  Options o = Parse({"--testing.page-size=65536", "--testing.clock-ticks", "250"});
  CHECK(o.testing_page_size == 65536u);
  CHECK(o.testing_clock_ticks == 250u);
  CHECK_FALSE(Parse({}).testing_page_size);
  CHECK(Error({"--testing.page-size=0"}) ==
        "invalid --testing.page-size \"0\": expected a positive integer");
  CHECK(Error({"--testing.clock-ticks=ten"}) ==
        "invalid --testing.clock-ticks \"ten\": expected a positive integer");
  CHECK(vitals::HelpText(Registry()).find("testing.") == std::string::npos);  // not for users
}
