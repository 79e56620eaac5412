// The sampler's values from host collectors' families and /proc/pressure.
// The combining (ratio, rate, share, selector, worst match, errors) is
// tested with collectors registered here under the real collectors' names
// and family names, so it holds whichever collectors this build has; the
// built-in collectors are run where they are registered (timex; filesystem,
// diskstats, netdev and conntrack by e2e.health_host_values once they are).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "agent/health/sampler.h"
#include "agent/health/threshold_check.h"
#include "collectors/collector_registry.h"

using namespace vitals;
using namespace vitals::health;
using namespace std::chrono_literals;

namespace {

namespace fs = std::filesystem;
using prometheus::MetricType;

struct Tree {
  Tree() {
    root = fs::temp_directory_path() / ("vitals-sampler-host-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "pressure");
    const fs::path fixture = fs::path(VITALS_SOURCE_DIR) / "tests/fixtures/proc";
    for (const char* file : {"pressure/cpu", "pressure/io", "pressure/memory"}) {
      fs::copy_file(fixture / file, root / file);
    }
  }
  ~Tree() { fs::remove_all(root); }
  fs::path root;
};

// What a scripted collector emits: family -> instance -> value (the
// instance under the label the family's row selects by).
using Script = std::map<std::string, std::map<std::string, double>>;

const std::vector<std::string_view> kFsLabels = {"device", "mountpoint", "fstype"};
const std::vector<std::string_view> kDevice = {"device"};

// The real collectors' family names and labels (node_exporter's).
struct Scripted final : collectors::Collector {
  Scripted(std::string_view name, const Script* script, const procfs::Error* failure, int* runs)
      : name_(name), script_(script), failure_(failure), runs_(runs) {}
  std::string_view name() const override { return name_; }
  std::span<const collectors::MetricDesc> Describe() const override { return {}; }
  procfs::Result<void> Collect(collectors::MetricSink& out) override {
    ++*runs_;
    if (failure_->code != procfs::Errc{}) {
      return *failure_;
    }
    descs_.clear();
    descs_.reserve(script_->size());
    for (const auto& [family, series] : *script_) {
      const bool fs = family.rfind("node_filesystem_", 0) == 0;
      const bool per_device = family.rfind("node_disk_", 0) == 0 ||
                              family.rfind("node_network_", 0) == 0;
      descs_.push_back({family, "help", family.find("_total") != std::string::npos
                                            ? MetricType::Counter
                                            : MetricType::Gauge,
                        fs ? kFsLabels : per_device ? kDevice
                                                    : std::vector<std::string_view>{}});
      for (const auto& [instance, value] : series) {
        if (fs) {
          out.Add(descs_.back(), value, {"/dev/x", instance, "ext4"});
        } else if (per_device) {
          out.Add(descs_.back(), value, {instance});
        } else {
          out.Add(descs_.back(), value);
        }
      }
    }
    return {};
  }
  std::string_view name_;
  const Script* script_;
  const procfs::Error* failure_;
  int* runs_;
  std::vector<collectors::MetricDesc> descs_;
};

struct Host {
  explicit Host(const Tree& tree) {
    for (std::string_view name : {"filesystem", "diskstats", "netdev", "conntrack"}) {
      registry.Register({name, "", true, {},
                         [this, name](const collectors::CollectorContext&) {
                           return std::make_unique<Scripted>(name, &scripts[std::string(name)],
                                                             &failures[std::string(name)],
                                                             &runs[std::string(name)]);
                         }});
    }
    auto opened = procfs::ProcFs::Open(tree.root, procfs::SystemInfo{4096, 100});
    REQUIRE(opened);
    proc = std::make_unique<procfs::ProcFs>(std::move(*opened));
    auto dir = procfs::RootDir::Open(tree.root);
    REQUIRE(dir);
    sys = std::make_unique<procfs::RootDir>(std::move(*dir));
    sampler = std::make_unique<Sampler>(*proc, clock);
    sampler->SetHostCollectors(collectors::CollectorContext{*proc, *sys, *sys, flags}, registry);
    std::set<std::string, std::less<>> every_value;
    for (const SampledValue& v : SampledValues()) {
      every_value.insert(std::string(v.name));
    }
    sampler->SetNeeds(every_value);
  }
  std::map<std::string, Script> scripts;
  std::map<std::string, procfs::Error> failures;
  std::map<std::string, int> runs;  // Collect() calls per collector
  collectors::CollectorRegistry registry;
  collectors::FlagValues flags;
  std::unique_ptr<procfs::ProcFs> proc;
  std::unique_ptr<procfs::RootDir> sys;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::unique_ptr<Sampler> sampler;
};

ValueKey Key(std::string value, std::string label = {}, std::string instance = {},
             std::string pattern = {}, bool higher_is_worse = true) {
  return ValueKey{std::move(value), std::move(instance), std::move(label), std::move(pattern),
                  higher_is_worse};
}

health::Sample Got(const Sampler& sampler, const ValueKey& key) {
  auto got = sampler.Get(key);
  if (auto* why = std::get_if<std::string>(&got)) {
    FAIL(key.ToString() << ": " << *why);
  }
  return std::get<health::Sample>(got);
}

std::string Why(const Sampler& sampler, const ValueKey& key) {
  auto got = sampler.Get(key);
  if (auto* sample = std::get_if<health::Sample>(&got)) {
    FAIL(key.ToString() << ": a value, " << sample->value << ", where an error was expected");
  }
  return std::get<std::string>(got);
}

}  // namespace

TEST_CASE("Sampler: per-mount values, one mount or the worst of a regex", "[health]") {
  Tree tree;
  Host host(tree);
  host.scripts["filesystem"] = {
      {"node_filesystem_avail_bytes", {{"/", 25}, {"/var", 5}, {"/boot", 50}}},
      {"node_filesystem_size_bytes", {{"/", 100}, {"/var", 100}, {"/boot", 100}}},
      {"node_filesystem_files_free", {{"/", 900}, {"/var", 10}, {"/boot", 0}}},
      {"node_filesystem_files", {{"/", 1000}, {"/var", 1000}, {"/boot", 0}}},
      {"node_filesystem_readonly", {{"/", 0}, {"/var", 0}, {"/boot", 1}}},
      {"node_filesystem_device_error", {{"/", 0}, {"/var", 0}, {"/boot", 0}, {"/srv", 1}}},
  };
  host.sampler->Sample();
  const auto free = [](std::string instance, std::string pattern = {}) {
    return Key("host.filesystem_free_ratio", "mountpoint", std::move(instance),
               std::move(pattern), false);
  };
  CHECK(Got(*host.sampler, free("/")).value == Approx(0.25));
  CHECK(Got(*host.sampler, free("/var")).value == Approx(0.05));
  CHECK(Got(*host.sampler, Key("host.filesystem_free_inodes_ratio", "mountpoint", "/var"))
            .value == Approx(0.01));
  CHECK(Got(*host.sampler, Key("host.filesystem_readonly", "mountpoint", "/boot")).value == 1);
  CHECK(Got(*host.sampler, Key("host.filesystem_readonly", "mountpoint", "/")).value == 0);

  // The worst (lowest free share) of the matches, and which it was.
  const health::Sample worst = Got(*host.sampler, free("", "^/(var|boot)$"));
  CHECK(worst.value == Approx(0.05));
  CHECK(worst.instance == "/var");
  const health::Sample best = Got(
      *host.sampler, Key("host.filesystem_free_ratio", "mountpoint", "", "^/(var|boot)$", true));
  CHECK(best.instance == "/boot");  // direction above: the highest is the worst

  // Never a 0 for what is not known.
  CHECK(Why(*host.sampler, Key("host.filesystem_free_inodes_ratio", "mountpoint", "/boot")) ==
        "node_filesystem_files is 0");
  CHECK(Why(*host.sampler, free("/srv")) ==
        "node_filesystem_device_error is 1 (the agent's log says why)");
  CHECK(Why(*host.sampler, free("", "^/s")) ==
        "mountpoint /srv: node_filesystem_device_error is 1 (the agent's log says why)");
  CHECK(Why(*host.sampler, free("/nope")) ==
        R"(no mountpoint "/nope" (known: /, /boot, /srv, /var))");
  CHECK(Why(*host.sampler, free("", "^/mnt")) ==
        "no mountpoint matches ^/mnt (known: /, /boot, /srv, /var)");

  // vitals_sample_*: one series per mount that has a value.
  collectors::MetricSink sink;
  host.sampler->AddSeries(sink);
  std::map<std::string, double> exported;
  for (const auto& family : sink.Take()) {
    if (family.name == "vitals_sample_host_filesystem_free_ratio") {
      for (const auto& m : family.metric) {
        REQUIRE(m.label.size() == 1);
        CHECK(m.label[0].name == "mountpoint");
        exported[m.label[0].value] = m.gauge.value;
      }
    }
  }
  CHECK(exported == std::map<std::string, double>{{"/", 0.25}, {"/boot", 0.5}, {"/var", 0.05}});

  // The collector failing fails every mount's value, with its reason.
  host.failures["filesystem"] = procfs::Error{procfs::Errc::kIo, "mounts", "boom"};
  host.sampler->Sample();
  CHECK_THAT(Why(*host.sampler, free("/")),
             Catch::StartsWith("the filesystem collector: ") && Catch::Contains("boom"));
  CHECK_THAT(Why(*host.sampler, free("", "^/")), Catch::Contains("boom"));
}

TEST_CASE("Sampler: rates per device between two samples", "[health]") {
  Tree tree;
  Host host(tree);
  auto& disk = host.scripts["diskstats"];
  auto& net = host.scripts["netdev"];
  disk["node_disk_io_time_seconds_total"] = {{"sda", 10.0}, {"sdb", 7.0}};
  net["node_network_receive_errs_total"] = {{"eth0", 0}, {"lo", 0}};
  net["node_network_receive_packets_total"] = {{"eth0", 1000}, {"lo", 50}};
  net["node_network_receive_drop_total"] = {{"eth0", 0}, {"lo", 0}};
  net["node_network_transmit_errs_total"] = {{"eth0", 0}, {"lo", 0}};
  net["node_network_transmit_packets_total"] = {{"eth0", 1000}, {"lo", 50}};
  net["node_network_transmit_drop_total"] = {{"eth0", 0}, {"lo", 0}};
  host.sampler->Sample();
  const auto busy = Key("host.disk_busy_ratio", "device", "sda");
  const auto rx_errors = Key("host.network_receive_error_ratio", "device", "eth0");
  CHECK(Why(*host.sampler, busy) == "needs two samples");
  CHECK(Why(*host.sampler, rx_errors) == "needs two samples");

  disk["node_disk_io_time_seconds_total"] = {{"sda", 11.0}, {"sdb", 3.0}};  // sdb was reset
  net["node_network_receive_errs_total"]["eth0"] = 5;
  net["node_network_receive_packets_total"]["eth0"] = 1095;  // 5 bad of 100 frames
  net["node_network_transmit_drop_total"]["eth0"] = 1;
  net["node_network_transmit_packets_total"]["eth0"] = 1003;  // 1 dropped of 4
  host.clock->Advance(2s);
  host.sampler->Sample();
  CHECK(Got(*host.sampler, busy).value == Approx(0.5));  // 1 s busy in 2 s
  CHECK_THAT(Why(*host.sampler, Key("host.disk_busy_ratio", "device", "sdb")),
             Catch::Contains("went back"));
  CHECK(Got(*host.sampler, rx_errors).value == Approx(0.05));
  CHECK(Got(*host.sampler, Key("host.network_transmit_drop_ratio", "device", "eth0")).value ==
        Approx(0.25));
  // No traffic and no errors on lo: nothing failed.
  CHECK(Got(*host.sampler, Key("host.network_receive_error_ratio", "device", "lo")).value == 0);
  const health::Sample worst =
      Got(*host.sampler, Key("host.network_receive_error_ratio", "device", "", "."));
  CHECK(worst.instance == "eth0");

  // Sampled again too soon: the value and its time stay, and so does the base.
  const SteadyTime taken = host.clock->Now();
  disk["node_disk_io_time_seconds_total"]["sda"] = 11.05;
  host.clock->Advance(10ms);
  host.sampler->Sample();
  CHECK(Got(*host.sampler, busy).taken == taken);
  host.clock->Advance(990ms);
  disk["node_disk_io_time_seconds_total"]["sda"] = 11.25;
  host.sampler->Sample();
  CHECK(Got(*host.sampler, busy).value == Approx(0.25));  // 0.25 s in the 1 s since the base
}

TEST_CASE("Sampler: host values with no instances, and collectors absent", "[health]") {
  Tree tree;
  Host host(tree);
  host.scripts["conntrack"] = {{"node_nf_conntrack_entries", {{"", 300}}},
                               {"node_nf_conntrack_entries_limit", {{"", 1200}}}};
  host.sampler->Sample();
  CHECK(Got(*host.sampler, Key("host.conntrack_usage_ratio")).value == Approx(0.25));

  // A kernel without conntrack: the collector's no-data reason, never a 0.
  host.failures["conntrack"] = collectors::NoData("/proc/sys/net/netfilter/nf_conntrack_count",
                                                  "no such file");
  host.sampler->Sample();
  CHECK_THAT(Why(*host.sampler, Key("host.conntrack_usage_ratio")),
             Catch::StartsWith("the conntrack collector: ") &&
                 Catch::Contains("nf_conntrack_count"));

  // A collector that is not registered (the test registry has no timex).
  CHECK(Why(*host.sampler, Key("host.clock_synced")) == "the timex collector is not in this build");
  // Its instances cannot be found either, and it says why rather than "unknown".
  CHECK(Why(*host.sampler, Key("host.disk_busy_ratio", "device", "sda")) ==
        "no device sampled yet");
}

TEST_CASE("Sampler: PSI avg10 from the captured /proc/pressure", "[health]") {
  Tree tree;
  Host host(tree);
  host.sampler->Sample();
  // tests/fixtures/proc/pressure: cpu some avg10=98.63, io some 0.02, full 0.00.
  CHECK(Got(*host.sampler, Key("host.pressure_cpu_some_avg10_ratio")).value == Approx(0.9863));
  CHECK(Got(*host.sampler, Key("host.pressure_cpu_full_avg10_ratio")).value == 0);
  CHECK(Got(*host.sampler, Key("host.pressure_io_some_avg10_ratio")).value == Approx(0.0002));
  CHECK(Got(*host.sampler, Key("host.pressure_memory_full_avg10_ratio")).value == 0);

  // A kernel before 5.13 has no "full" line for cpu; one without PSI no files.
  std::ofstream(tree.root / "pressure/cpu", std::ios::trunc)
      << "some avg10=1.50 avg60=0.00 avg300=0.00 total=10\n";
  fs::remove(tree.root / "pressure/io");
  host.sampler->Sample();
  CHECK(Got(*host.sampler, Key("host.pressure_cpu_some_avg10_ratio")).value == Approx(0.015));
  CHECK(Why(*host.sampler, Key("host.pressure_cpu_full_avg10_ratio")) ==
        R"(pressure/cpu has no "full" line (Linux before 5.13))");
  CHECK_THAT(Why(*host.sampler, Key("host.pressure_io_some_avg10_ratio")),
             Catch::Contains("pressure/io") && Catch::Contains("CONFIG_PSI"));
}

TEST_CASE("threshold: a per-mount check names the worst mount it found", "[health]") {
  Tree tree;
  Host host(tree);
  host.scripts["filesystem"] = {
      {"node_filesystem_avail_bytes", {{"/", 25}, {"/var", 4}}},
      {"node_filesystem_size_bytes", {{"/", 100}, {"/var", 100}}},
  };
  host.sampler->Sample();
  std::shared_ptr<const ValueSource> source(host.sampler.get(), [](const ValueSource*) {});
  ThresholdCheck check(source,
                       Key("host.filesystem_free_ratio", "mountpoint", "", "^/", false),
                       ValueRule{0.1, 0.05, Direction::kBelow}, 0ms, 1h);
  CheckContext ctx;
  ctx.now = host.clock->Now();
  const CheckResult result = check.Run(ctx);
  CHECK(result.status == HealthStatus::kUnhealthy);
  CHECK_THAT(result.description, Catch::StartsWith("host.filesystem_free_ratio{mountpoint=~^/}") &&
                                     Catch::EndsWith("(mountpoint /var)"));
  CHECK(result.data["mountpoint"] == "/var");
}

TEST_CASE("Sampler: a sample reads only what the named values need", "[health]") {
  Tree tree;
  // stat and loadavg as captured; every other file the sampler reads itself
  // is a FIFO, which a read refuses with an error naming it: read, it would
  // leave that error where "not sampled yet" is expected.
  const fs::path fixture = fs::path(VITALS_SOURCE_DIR) / "tests/fixtures/proc";
  fs::copy_file(fixture / "stat", tree.root / "stat");
  fs::copy_file(fixture / "loadavg", tree.root / "loadavg");
  fs::create_directories(tree.root / "sys/fs");
  auto fifo = [&](const char* file) {
    fs::remove(tree.root / file);
    REQUIRE(::mkfifo((tree.root / file).c_str(), 0600) == 0);
  };
  for (const char* file : {"meminfo", "sys/fs/file-nr", "pressure/cpu", "pressure/io",
                           "pressure/memory"}) {
    fifo(file);
  }
  Host host(tree);
  host.scripts["filesystem"] = {{"node_filesystem_avail_bytes", {{"/", 25}}},
                                {"node_filesystem_size_bytes", {{"/", 100}}}};
  auto families = [&] {
    collectors::MetricSink sink;
    host.sampler->AddSeries(sink);
    std::set<std::string> names;
    for (const auto& family : sink.Take()) {
      names.insert(family.name);
    }
    return names;
  };
  auto not_sampled = [&](const std::set<std::string_view>& except) {
    for (const SampledValue& v : SampledValues()) {
      if (except.count(v.name) == 0) {
        INFO(v.name);
        CHECK(Why(*host.sampler, Key(std::string(v.name))) == "not sampled yet");
      }
    }
  };
  // stat gives the CPU ratio too (after two samples).
  const std::set<std::string_view> stat_and_load = {"host.cpu_busy_ratio", "host.load1_per_core",
                                                    "host.load5_per_core", "host.load15_per_core"};
  auto runs = [](int filesystem) {
    return std::map<std::string, int>{
        {"conntrack", 0}, {"diskstats", 0}, {"filesystem", filesystem}, {"netdev", 0}};
  };

  // A config whose one check reads the load: stat (the CPU count) and loadavg.
  CHECK_FALSE(host.sampler->SetNeeds({"host.load1_per_core"}));  // Host read them all before
  host.sampler->Sample();
  CHECK(Got(*host.sampler, Key("host.load1_per_core")).value == Approx(2.22 / 2));
  not_sampled(stat_and_load);
  CHECK(host.runs == runs(0));  // no host collector ran
  CHECK(families() == std::set<std::string>{"vitals_sample_host_load15_per_core",
                                            "vitals_sample_host_load1_per_core",
                                            "vitals_sample_host_load5_per_core"});

  // A reload adds a check on a filesystem: the filesystem collector runs,
  // once per sample, and no other.
  CHECK(host.sampler->SetNeeds({"host.load1_per_core", "host.filesystem_free_ratio"}));
  host.sampler->Sample();
  CHECK(Got(*host.sampler, Key("host.filesystem_free_ratio", "mountpoint", "/")).value ==
        Approx(0.25));
  CHECK(host.runs == runs(1));

  // No check reads a host value: nothing is read (stat and loadavg are FIFOs
  // now too) and nothing is exported.
  CHECK_FALSE(host.sampler->SetNeeds({}));
  fifo("stat");
  fifo("loadavg");
  host.sampler->Sample();
  not_sampled({});
  CHECK(host.runs == runs(1));
  CHECK(families().empty());
}

TEST_CASE("Sampler: every host value has a source to read", "[health]") {
  Tree tree;
  Host host(tree);
  for (const SampledValue& v : SampledValues()) {
    if (!v.per_group) {  // group values come from the group reader
      INFO(v.name);
      CHECK_FALSE(host.sampler->SetNeeds({}));
      CHECK(host.sampler->SetNeeds({std::string(v.name)}));
    }
  }
}
