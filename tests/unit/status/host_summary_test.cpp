#include "agent/status/host_summary.h"

#include <catch2/catch.hpp>

#include "tests/unit/status/family_builder.h"
#include "agent/status/page_model.h"

using namespace vitals::status;
using prometheus::MetricType;
using vitals::status::testing::AddSample;
using vitals::status::testing::MakeFamily;
using namespace std::chrono_literals;

namespace {

const auto kAt = std::chrono::system_clock::time_point(1'700'000'000s);

using Labels = std::vector<prometheus::ClientMetric::Label>;

void Add(std::vector<prometheus::MetricFamily>& families, const std::string& name, MetricType type,
         std::vector<std::pair<Labels, double>> samples) {
  auto f = MakeFamily(name, type);
  for (auto& [labels, value] : samples) {
    AddSample(f, value, labels);
  }
  families.push_back(std::move(f));
}

// What the health sampler exports.
std::vector<prometheus::MetricFamily> Samples() {
  std::vector<prometheus::MetricFamily> f;
  Add(f, "vitals_sample_host_cpu_busy_ratio", MetricType::Gauge, {{{}, 0.25}});
  Add(f, "vitals_sample_host_memory_available_ratio", MetricType::Gauge, {{{}, 0.5}});
  Add(f, "vitals_sample_host_load1_per_core", MetricType::Gauge, {{{}, 0.5}});
  Add(f, "vitals_sample_host_load5_per_core", MetricType::Gauge, {{{}, 0.25}});
  Add(f, "vitals_sample_host_load15_per_core", MetricType::Gauge, {{{}, 0.125}});
  Add(f, "vitals_sample_host_swap_used_ratio", MetricType::Gauge, {{{}, 0}});
  Add(f, "vitals_sample_host_filefd_ratio", MetricType::Gauge, {{{}, 0.01}});
  return f;
}

Labels Mount(const std::string& device, const std::string& fstype, const std::string& mount) {
  return {{"device", device}, {"fstype", fstype}, {"mountpoint", mount}};
}

// node_exporter's filesystem and diskstats families, with its label names.
std::vector<prometheus::MetricFamily> Scrape(double read, double written, double io) {
  std::vector<prometheus::MetricFamily> f;
  const auto root = Mount("/dev/sda1", "ext4", "/");
  const auto boot = Mount("/dev/sda2", "vfat", "/boot/efi");
  Add(f, "node_filesystem_size_bytes", MetricType::Gauge, {{root, 100e9}, {boot, 512e6}});
  Add(f, "node_filesystem_free_bytes", MetricType::Gauge, {{root, 40e9}, {boot, 500e6}});
  Add(f, "node_filesystem_avail_bytes", MetricType::Gauge, {{root, 30e9}, {boot, 500e6}});
  Add(f, "node_filesystem_files", MetricType::Gauge, {{root, 1000}, {boot, 0}});
  Add(f, "node_filesystem_files_free", MetricType::Gauge, {{root, 750}, {boot, 0}});
  Add(f, "node_filesystem_readonly", MetricType::Gauge, {{root, 0}, {boot, 1}});
  Add(f, "node_filesystem_device_error", MetricType::Gauge, {{root, 0}, {boot, 0}});
  Add(f, "node_disk_read_bytes_total", MetricType::Counter, {{{{"device", "sda"}}, read}});
  Add(f, "node_disk_written_bytes_total", MetricType::Counter, {{{{"device", "sda"}}, written}});
  Add(f, "node_disk_io_time_seconds_total", MetricType::Counter, {{{{"device", "sda"}}, io}});
  Add(f, "node_memory_MemTotal_bytes", MetricType::Gauge, {{{}, 16.0 * (1u << 30)}});
  Add(f, "node_memory_MemAvailable_bytes", MetricType::Gauge, {{{}, 8.0 * (1u << 30)}});
  Add(f, "node_memory_SwapTotal_bytes", MetricType::Gauge, {{{}, 2.0 * (1u << 30)}});
  Add(f, "node_load1", MetricType::Gauge, {{{}, 2}});
  Add(f, "node_filefd_allocated", MetricType::Gauge, {{{}, 1234}});
  Add(f, "node_cpu_seconds_total", MetricType::Counter, {{{{"cpu", "0"}, {"mode", "idle"}}, 1}});
  return f;
}

const Table* FindTable(const std::vector<Table>& tables, const std::string& id) {
  for (const auto& t : tables) {
    if (t.id == id) {
      return &t;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("HostTables: the sampler's values alone give the host rows, no disks or mounts",
          "[status]") {
  const auto families = Samples();
  const FamilyIndex index(families);
  const auto tables = HostTables(index, nullptr, ReadDisks(index, kAt));
  REQUIRE(tables.size() == 1);
  const auto& rows = tables[0].groups.at(0).rows;
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].id == "host:cpu");
  CHECK(rows[0].cells[0].text == "25 % of all CPUs");
  CHECK(rows[1].cells[0].text == "50 % available");
  CHECK(rows[1].cells[0].meter == 0.5);
  CHECK(rows[2].cells[0].text == "0.50 · 0.25 · 0.12 per CPU");
  CHECK(rows[3].cells[0].text == "0 % used");
  CHECK(rows[4].cells[0].text == "1.0 % of the kernel's limit");
}

TEST_CASE("HostTables: node_filesystem_* and node_disk_* show up when a scrape has them",
          "[status]") {
  auto families = Samples();
  auto first = Scrape(1000, 2000, 1);
  families.insert(families.end(), first.begin(), first.end());
  const FamilyIndex index(families);
  const DiskReading before = ReadDisks(index, kAt);
  auto tables = HostTables(index, nullptr, before);
  REQUIRE(tables.size() == 3);

  const auto& host = tables[0].groups.at(0).rows;
  CHECK(host[1].cells[0].text == "50 % available (8.0 GiB of 16 GiB)");
  CHECK(host[2].cells[0].text == "0.50 · 0.25 · 0.12 per CPU (2.00 on 4 CPUs)");
  CHECK(host[3].cells[0].text == "0 % used of 2.0 GiB");
  CHECK(host[4].cells[0].text == "1.0 % of the kernel's limit (1234 open)");

  const Table* fs = FindTable(tables, "filesystems");
  REQUIRE(fs != nullptr);
  const auto& mounts = fs->groups.at(0).rows;
  REQUIRE(mounts.size() == 2);
  CHECK(mounts[0].id == "fs:/");
  CHECK(mounts[0].label_title == "/dev/sda1 (ext4)");
  // df's Use%: used / (used + available) = 60 / 90.
  CHECK(mounts[0].cells[0].text == "67 %");
  CHECK(mounts[0].cells[1].text == "28 GiB");
  CHECK(mounts[0].cells[3].text == "25 %");  // inodes
  CHECK(mounts[0].cells[4].text.empty());
  CHECK(mounts[1].label == "/boot/efi");
  CHECK(mounts[1].cells[3].text == "—");  // vfat has no inodes
  CHECK(mounts[1].cells[4].text == "read-only");

  const Table* disks = FindTable(tables, "disks");
  REQUIRE(disks != nullptr);
  auto sda = disks->groups.at(0).rows.at(0);
  CHECK(sda.label == "sda");
  CHECK(sda.cells[0].text == "—");  // a rate needs two readings
  CHECK_THAT(sda.cells[0].title, Catch::StartsWith("needs two readings"));
  CHECK(sda.cells[3].text == "1000 B");

  // Ten seconds later: rates between the two readings.
  auto later = Samples();
  auto second = Scrape(1000 + 10 * 4096, 2000 + 10 * 1024 * 1024, 1 + 2.5);
  later.insert(later.end(), second.begin(), second.end());
  const FamilyIndex later_index(later);
  tables = HostTables(later_index, &before, ReadDisks(later_index, kAt + 10s));
  sda = FindTable(tables, "disks")->groups.at(0).rows.at(0);
  CHECK(sda.cells[0].text == "4.0 KiB/s");
  CHECK(sda.cells[1].text == "1.0 MiB/s");
  CHECK(sda.cells[2].text == "25 %");
  CHECK(sda.cells[2].meter == 0.25);
}

TEST_CASE("ReadFromScrape: keeping only those families changes nothing on the page", "[status]") {
  auto families = Samples();
  auto scrape = Scrape(1, 2, 3);
  std::vector<prometheus::MetricFamily> kept;
  for (const auto& f : scrape) {
    if (ReadFromScrape(f.name)) {
      kept.push_back(f);
    }
  }
  CHECK(kept.size() == scrape.size() - 1);  // node_cpu_seconds_total is not read
  auto with = [&](const std::vector<prometheus::MetricFamily>& extra) {
    auto all = families;
    all.insert(all.end(), extra.begin(), extra.end());
    PageInput in;
    in.now = kAt;
    in.families = &all;
    const FamilyIndex index(all);
    const DiskReading disks = ReadDisks(index, kAt);
    in.disks = &disks;
    return RenderJson(BuildPage(in)).dump();
  };
  CHECK(with(kept) == with(scrape));
}
