// The textfile, nfs, nfsd and zfs collectors, built by name through the
// registry on temporary trees: their families, what they do when files are
// absent or bad (as node_exporter 1.5.0 does), and the textfile merging rules.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "tests/unit/host/proc_tree.h"

using namespace vitals::collectors;
using namespace vitals::testing;  // ProcTree, FindFamily, Sample
using vitals::procfs::Errc;

namespace {

struct Scraped {
  vitals::procfs::Result<void> result;
  std::vector<prometheus::MetricFamily> families;
  std::vector<std::string> warnings;
};

Scraped Scrape(Collector& collector) {
  MetricSink sink;
  auto result = collector.Collect(sink);
  std::vector<std::string> warnings = sink.warnings();
  return Scraped{std::move(result), sink.Take(), std::move(warnings)};
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("nfs, nfsd and zfs report NoData without their files, as node_exporter", "[collectors]") {
  ProcTree tree;
  for (std::string_view name : {"nfs", "nfsd", "zfs"}) {
    CAPTURE(name);
    auto c = Scrape(*tree.Make(name));
    REQUIRE_FALSE(c.result.ok());
    CHECK(c.result.error().code == Errc::kNoData);
    CHECK(c.families.empty());
  }
}

TEST_CASE("nfs and nfsd", "[collectors]") {
  ProcTree tree;
  tree.Write("net/rpc/nfs", "net 10 1 9 2\nrpc 40 3 0\nproc4 2 5 6\n");
  auto nfs = Scrape(*tree.Make("nfs"));
  REQUIRE(nfs.result.ok());
  CHECK(Sample(nfs.families, "node_nfs_packets_total", {{"protocol", "tcp"}}) == 9);
  CHECK(Sample(nfs.families, "node_nfs_rpc_retransmissions_total") == 3);
  CHECK(Sample(nfs.families, "node_nfs_requests_total", {{"proto", "4"}, {"method", "Read"}}) == 6);
  // Every procedure of every version, absent lines as 0: 18 + 22 + 59.
  CHECK(FindFamily(nfs.families, "node_nfs_requests_total")->metric.size() == 99);

  tree.Write("net/rpc/nfsd", "rc 1 2 3\nth 8 0\nrpc 9 0 1 2 3\nproc3 22 0 7 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
  auto nfsd = Scrape(*tree.Make("nfsd"));
  REQUIRE(nfsd.result.ok());
  CHECK(Sample(nfsd.families, "node_nfsd_server_threads") == 8);
  CHECK(Sample(nfsd.families, "node_nfsd_rpc_errors_total", {{"error", "cInt"}}) == 3);
  CHECK(Sample(nfsd.families, "node_nfsd_requests_total", {{"proto", "3"}, {"method", "GetAttr"}}) == 7);
  CHECK_FALSE(Sample(nfsd.families, "node_nfsd_requests_total", {{"proto", "3"}, {"method", "Null"}}));
  // Without Null, PUTPUBFH, PUTROOTFH and the unused operations: 17 + 21 + 33.
  CHECK(FindFamily(nfsd.families, "node_nfsd_requests_total")->metric.size() == 71);
  CHECK(FindFamily(nfsd.families, "node_nfsd_reply_cache_nocache_total")->help ==
        "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/\u2026).");

  tree.Write("net/rpc/nfsd", "rc 1 2 3\nwdeleg_getattr 0\n");  // newer than procfs 0.8.0: an error
  auto unknown = Scrape(*tree.Make("nfsd"));
  REQUIRE_FALSE(unknown.result.ok());
  CHECK(unknown.result.error().code == Errc::kParse);
}

TEST_CASE("zfs", "[collectors]") {
  ProcTree tree;
  const std::string header = "1 1 0x01 2 160 1 2\nname                            type data\n";
  tree.Write("spl/kstat/zfs/arcstats", header + "hits 4 10\nmemory_available_bytes 3 -1\n");
  tree.Write("spl/kstat/zfs/fm", header + "erpt-dropped 4 18\n");
  tree.Write("spl/kstat/zfs/tank/state", "ONLINE\n");
  tree.Write("spl/kstat/zfs/tank/objset-0x36", header + "dataset_name 7 tank/home\nwrites 4 118\n");
  tree.Write("spl/kstat/zfs/tank/io",
             "12 3 0x00 1 80 1 2\nnread nwritten reads writes wtime wlentime wupdate rtime "
             "rlentime rupdate wcnt rcnt\n1 2 3 4 5 6 7 8 9 10 11 12\n");
  auto z = Scrape(*tree.Make("zfs"));
  REQUIRE(z.result.ok());
  CHECK(Sample(z.families, "node_zfs_arc_hits") == 10);
  CHECK(FindFamily(z.families, "node_zfs_arc_hits")->help == "kstat.zfs.misc.arcstats.hits");
  CHECK(FindFamily(z.families, "node_zfs_arc_hits")->type == prometheus::MetricType::Untyped);
  CHECK_FALSE(FindFamily(z.families, "node_zfs_arc_memory_available_bytes"));  // int64: skipped
  CHECK(Sample(z.families, "node_zfs_fm_erpt_dropped") == 18);  // '-' becomes '_'
  CHECK(Sample(z.families, "node_zfs_zpool_state", {{"zpool", "tank"}, {"state", "online"}}) == 1);
  CHECK(Sample(z.families, "node_zfs_zpool_state", {{"zpool", "tank"}, {"state", "faulted"}}) == 0);
  CHECK(Sample(z.families, "node_zfs_zpool_dataset_writes",
               {{"zpool", "tank"}, {"dataset", "tank/home"}}) == 118);
  CHECK(Sample(z.families, "node_zfs_zpool_rcnt", {{"zpool", "tank"}}) == 12);
  CHECK(FindFamily(z.families, "node_zfs_zpool_rcnt")->help == "kstat.zfs.misc.io.rcnt");

  SECTION("a kstat file without its column line fails the collector, as node_exporter") {
    tree.Write("spl/kstat/zfs/zil", "zil_commit_count 4 1\n");
    auto bad = Scrape(*tree.Make("zfs"));
    REQUIRE_FALSE(bad.result.ok());
    CHECK(bad.result.error().path == "spl/kstat/zfs/zil");
  }
  SECTION("a statistic that makes no metric name fails it too") {
    tree.Write("spl/kstat/zfs/zil", header + "bad{name 4 1\n");
    CHECK_FALSE(Scrape(*tree.Make("zfs")).result.ok());
  }
}

TEST_CASE("textfile: files, errors and the mtime of each file read", "[collectors][textfile]") {
  ProcTree tree;
  const std::string dir = (tree.path() / "textfile").string();
  tree.SetFlag("collector.textfile.directory", dir);
  tree.Write("textfile/good.prom", "# HELP job_ok Jobs.\n# TYPE job_ok gauge\njob_ok{job=\"a\"} 1\n");
  tree.Write("textfile/bad.prom", "job_bad{job=\"a\"} one\n");
  tree.Write("textfile/stamped.prom", "job_stamped 1 1700000000000\n");
  tree.Write("textfile/reserved.prom", "job_reserved{__x=\"1\"} 1\n");
  tree.Write("textfile/notes.txt", "not read\n");
  struct timespec times[2] = {{1600000000, 900000000}, {1600000000, 900000000}};
  REQUIRE(::utimensat(AT_FDCWD, (dir + "/good.prom").c_str(), times, 0) == 0);

  auto t = Scrape(*tree.Make("textfile"));
  REQUIRE(t.result.ok());  // bad files never fail the collector
  CHECK(Sample(t.families, "job_ok", {{"job", "a"}}) == 1);
  CHECK(FindFamily(t.families, "job_ok")->help == "Jobs.");
  CHECK_FALSE(FindFamily(t.families, "job_bad"));
  CHECK_FALSE(FindFamily(t.families, "job_stamped"));
  CHECK_FALSE(FindFamily(t.families, "job_reserved"));
  CHECK(Sample(t.families, "node_textfile_scrape_error") == 1);
  CHECK(Sample(t.families, "node_textfile_mtime_seconds", {{"file", dir + "/good.prom"}}) ==
        1600000000);  // whole seconds
  CHECK(FindFamily(t.families, "node_textfile_mtime_seconds")->metric.size() == 1);
  const std::string warnings = Joined(t.warnings);
  CHECK_THAT(warnings, Catch::Contains(dir + "/bad.prom: parse error: line 1: expected float as value"));
  CHECK_THAT(warnings, Catch::Contains("stamped.prom: parse error: contains unsupported client-side timestamps"));
  CHECK_THAT(warnings, Catch::Contains("\"__x\" is reserved"));

  SECTION("only good files: scrape_error 0") {
    tree.Remove("textfile/bad.prom");
    tree.Remove("textfile/stamped.prom");
    tree.Remove("textfile/reserved.prom");
    auto ok = Scrape(*tree.Make("textfile"));
    CHECK(Sample(ok.families, "node_textfile_scrape_error") == 0);
    CHECK(ok.warnings.empty());
  }
  SECTION("a FIFO named *.prom is an error, read without blocking") {
    REQUIRE(::mkfifo((dir + "/fifo.prom").c_str(), 0600) == 0);
    auto fifo = Scrape(*tree.Make("textfile"));
    CHECK_THAT(Joined(fifo.warnings), Catch::Contains("fifo.prom: i/o error"));
  }
  SECTION("a missing directory: scrape_error 1 and a warning; none configured: nothing") {
    tree.SetFlag("collector.textfile.directory", dir + "/absent");
    auto absent = Scrape(*tree.Make("textfile"));
    REQUIRE(absent.result.ok());
    CHECK(Sample(absent.families, "node_textfile_scrape_error") == 1);
    CHECK_THAT(Joined(absent.warnings), Catch::Contains("failed to read textfile collector directory"));
    tree.SetFlag("collector.textfile.directory", "");
    auto none = Scrape(*tree.Make("textfile"));
    CHECK(Sample(none.families, "node_textfile_scrape_error") == 0);
    CHECK(none.families.size() == 1);
  }
}

TEST_CASE("textfile: families merged across files and directories as node_exporter's registry",
          "[collectors][textfile]") {
  ProcTree tree;
  const std::string root = tree.path().string();
  tree.SetFlag("collector.textfile.directory", root + "/t*");  // a glob: t1 and t2
  tree.Write("t1/a.prom",
             "shared{file=\"a\"} 1\n"
             "# HELP helped First HELP.\nhelped{file=\"a\"} 1\n"
             "# TYPE typed gauge\ntyped{file=\"a\"} 1\n"
             "dup{s=\"x\"} 1\n"
             "# TYPE summ summary\nsumm_count 2\n"
             "padded{a=\"1\",b=\"2\"} 1\npadded{a=\"3\"} 2\n");
  tree.Write("t2/b.prom",
             "shared{file=\"b\"} 2\n"
             "# HELP helped Second HELP.\nhelped{file=\"b\"} 2\n"
             "# TYPE typed counter\ntyped{file=\"b\"} 2\n"
             "dup{s=\"x\"} 2\n"
             "summ_count{file=\"b\"} 5\n");
  auto t = Scrape(*tree.Make("textfile"));
  REQUIRE(t.result.ok());
  CHECK(Sample(t.families, "node_textfile_scrape_error") == 0);
  // No HELP: every file that has the family is named.
  CHECK(FindFamily(t.families, "shared")->help ==
        "Metric read from " + root + "/t1/a.prom, " + root + "/t2/b.prom");
  CHECK(FindFamily(t.families, "shared")->metric.size() == 2);
  // The first file's HELP, type and series win; the others are dropped.
  CHECK(FindFamily(t.families, "helped")->metric.size() == 1);
  CHECK(FindFamily(t.families, "typed")->type == prometheus::MetricType::Gauge);
  CHECK(FindFamily(t.families, "typed")->metric.size() == 1);
  CHECK(Sample(t.families, "dup", {{"s", "x"}}) == 1);
  CHECK_FALSE(FindFamily(t.families, "summ_count"));  // collides with the summary summ
  CHECK(FindFamily(t.families, "summ")->metric[0].summary.sample_count == 2);
  // A label some series lack is theirs with an empty value.
  CHECK(Sample(t.families, "padded", {{"a", "3"}, {"b", ""}}) == 2);
  const std::string warnings = Joined(t.warnings);
  CHECK_THAT(warnings, Catch::Contains("series helped{file=\"b\"} dropped: has help"));
  CHECK_THAT(warnings, Catch::Contains("series typed{file=\"b\"} dropped: has another type"));
  CHECK_THAT(warnings, Catch::Contains("series dup{s=\"x\"} dropped: was collected before"));
  CHECK_THAT(warnings, Catch::Contains("series summ_count{file=\"b\"} dropped: collides"));
}

TEST_CASE("textfile: a file whose label padding would explode is refused", "[collectors][textfile]") {
  ProcTree tree;
  tree.SetFlag("collector.textfile.directory", (tree.path() / "t").string());
  std::string wide;
  for (int i = 0; i < 1500; ++i) {  // 1500 series x 1500 label names
    wide += "wide{l" + std::to_string(i) + "=\"x\"} 1\n";
  }
  tree.Write("t/wide.prom", wide);
  auto t = Scrape(*tree.Make("textfile"));
  CHECK_FALSE(FindFamily(t.families, "wide"));
  CHECK(Sample(t.families, "node_textfile_scrape_error") == 1);
  CHECK_THAT(Joined(t.warnings), Catch::Contains("more than 1000000 labels"));
}
