// Probes against real local peers the test owns: listening sockets on
// 127.0.0.1 (one that answers, one that never does), child processes, files.
// PostgreSQL, Redis, HTTP(S) and DNS servers are in tests/e2e/test_probe_*.py.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "agent/health/kind.h"
#include "agent/health/scheduler.h"
#include "agent/probes/curl.h"
#include "agent/probes/probe.h"
#include "config/config.h"
#include "tests/unit/temp_tree.h"

using namespace vitals;
using namespace std::chrono_literals;
using health::HealthStatus;

namespace {

// A listening socket on 127.0.0.1:<ephemeral>. With `answer` set, a thread
// accepts one connection, reads a line and writes `answer`; without it the
// kernel completes handshakes into the backlog and nobody ever reads: a
// black hole.
class Listener {
 public:
  explicit Listener(std::optional<std::string> answer = std::nullopt) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 128) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (answer) {
      thread_ = std::thread([this, text = *answer] {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) {
          return;
        }
        char buf[256];
        (void)::recv(c, buf, sizeof buf, 0);
        (void)::send(c, text.data(), text.size(), MSG_NOSIGNAL);
        ::close(c);
      });
    }
  }
  ~Listener() {
    ::shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) {
      thread_.join();
    }
    ::close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

struct Timed {
  health::CheckResult result;
  std::chrono::duration<double> took;
};

// The check of one config entry (`keys` with a name added), read and built
// by its kind as the agent does.
std::shared_ptr<health::Check> MakeCheck(nlohmann::json keys,
                                         HealthStatus on_failure = HealthStatus::kUnhealthy) {
  keys["name"] = "t";
  const auto& kinds = health::CheckKinds::Builtin();
  const auto config = config::Parse(nlohmann::json{{"checks", {keys}}}.dump(), "test.json",
                                    [](std::string_view) { return std::nullopt; }, kinds.table());
  health::CheckSpec spec;
  spec.on_error = on_failure;
  health::KindContext context{spec};
  return kinds.Make(config.checks.at(0), context);
}

Timed RunFor(const nlohmann::json& keys, std::chrono::milliseconds timeout,
             HealthStatus on_failure = HealthStatus::kUnhealthy) {
  auto check = MakeCheck(keys, on_failure);
  const auto start = std::chrono::steady_clock::now();
  auto result = check->Run(health::CheckContext{start, start + timeout, {}});
  return {result, std::chrono::steady_clock::now() - start};
}

int OpenFds() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n;
}

// True while `pid` exists and is not a zombie.
bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) {
    return false;
  }
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("tcp: connect, send and expect against a local listener", "[probes]") {
  Listener server(std::string("+OK ready\r\n"));
  const nlohmann::json c = {
      {"kind", "tcp"}, {"address", server.address()}, {"send", "HELLO\r\n"}, {"expect", "OK ready"}};
  auto r = RunFor(c, 2s);
  INFO(r.result.description);
  CHECK(r.result.status == HealthStatus::kHealthy);
  CHECK(r.result.data["success"] == true);
  CHECK(r.result.data["ip_protocol"] == 4);
  CHECK(r.result.description.rfind("connected to " + server.address() + " (127.0.0.1) in ", 0) == 0);
}

TEST_CASE("tcp: an answer without `expect` fails and shows what came", "[probes]") {
  Listener server(std::string("-ERR go away\r\n"));
  const nlohmann::json c = {
      {"kind", "tcp"}, {"address", server.address()}, {"send", "HELLO\r\n"}, {"expect", "+OK"}};
  auto r = RunFor(c, 2s);
  CHECK(r.result.status == HealthStatus::kUnhealthy);
  CHECK(r.result.data["success"] == false);
  CHECK(r.result.description == server.address() +
                                    ": connection closed before \"+OK\" was seen; got \"-ERR go "
                                    "away\\x0d\\x0a\"");
}

TEST_CASE("tcp: connection refused, and the configured failure status", "[probes]") {
  std::uint16_t port;
  {
    Listener gone;
    port = gone.port();
  }
  const nlohmann::json c = {{"kind", "tcp"}, {"address", "127.0.0.1:" + std::to_string(port)}};
  auto r = RunFor(c, 2s, HealthStatus::kDegraded);
  CHECK(r.result.status == HealthStatus::kDegraded);  // on_error: degraded
  CHECK(r.result.data["success"] == false);
  CHECK(r.result.description == "connect to 127.0.0.1:" + std::to_string(port) +
                                    ": Connection refused");
  CHECK(r.took < 1s);
}

TEST_CASE("tcp: a black hole fails at its timeout, within 10 %", "[probes]") {
  Listener hole;  // accepts (backlog) and never answers
  const nlohmann::json c = {{"kind", "tcp"}, {"address", hole.address()}, {"expect", "anything"}};
  const int fds_before = OpenFds();
  auto r = RunFor(c, 700ms);
  CHECK(r.result.status == HealthStatus::kUnhealthy);
  CHECK(r.took >= 686ms);  // 2 % early, so its own message beats the scheduler's
  CHECK(r.took <= 770ms);
  CHECK(r.result.description == hole.address() +
                                    ": expected \"anything\": waiting for an answer: no answer "
                                    "within the 700ms timeout");
  CHECK(OpenFds() == fds_before);  // the socket is closed
}

TEST_CASE("tcp: a shutdown (stop token) ends a wait at once", "[probes]") {
  Listener hole;
  auto check = MakeCheck({{"kind", "tcp"}, {"address", hole.address()}, {"expect", "x"}});
  std::stop_source stop;
  const auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    stop.request_stop();
  });
  auto r = check->Run(health::CheckContext{start, start + 10s, stop.get_token()});
  stopper.join();
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(r.description.find("cancelled, the agent is shutting down") != std::string::npos);
}

TEST_CASE("exec: exit codes 0/1/2 as Nagios, first line as description", "[probes]") {
  auto run = [](const std::string& script) {
    return RunFor({{"kind", "exec"}, {"command", {"sh", "-c", script}}}, 5s).result;
  };
  auto ok = run("echo 'DISK OK - free space: / 10 GB'; echo second line");
  CHECK(ok.status == HealthStatus::kHealthy);
  CHECK(ok.description == "DISK OK - free space: / 10 GB");
  CHECK(ok.data["exec_exit_code"] == 0);
  auto warn = run("echo 'DISK WARNING - 9% free'; exit 1");
  CHECK(warn.status == HealthStatus::kDegraded);
  CHECK(warn.description == "DISK WARNING - 9% free");
  CHECK(warn.data["success"] == true);
  auto crit = run("echo 'DISK CRITICAL - 1% free' >&2; exit 2");
  CHECK(crit.status == HealthStatus::kUnhealthy);
  CHECK(crit.description == "DISK CRITICAL - 1% free");  // stderr is output too
  CHECK(crit.data["exec_exit_code"] == 2);
  CHECK(crit.data["success"] == false);
  auto unknown = run("echo 'cannot stat /nope'; exit 3");
  CHECK(unknown.status == HealthStatus::kUnhealthy);
  CHECK(unknown.description == "exec sh: exit 3 (UNKNOWN): cannot stat /nope");
  auto silent = run("exit 0");
  CHECK(silent.description == "exec sh: exit 0");
  auto signalled = run("kill -TERM $$$$");  // the config reads $$ as $
  CHECK(signalled.description == "exec sh: killed by signal 15 (Terminated)");
}

TEST_CASE("exec: a program that does not exist", "[probes]") {
  auto r = RunFor({{"kind", "exec"}, {"command", {"/nonexistent/check_thing"}}}, 2s).result;
  CHECK(r.status == HealthStatus::kUnhealthy);
  CHECK(r.description == "exec /nonexistent/check_thing: cannot start: No such file or directory");
}

TEST_CASE("exec: output is capped, the rest drained", "[probes]") {
  auto r = RunFor({{"kind", "exec"},
                   {"command", {"sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x; echo; exit 0"}},
                   {"max_output_bytes", 100}},
                  5s)
               .result;
  CHECK(r.status == HealthStatus::kHealthy);
  CHECK(r.data["output_bytes"] == 300001);
  CHECK(r.description == std::string(100, 'x'));
}

TEST_CASE("exec: a hang is killed at the timeout with its whole process tree", "[probes]") {
  vitals::testing::TempTree tree;
  const std::string pids = (tree.path() / "pids").string();
  // The shell starts a grandchild in its own session whose parent exits at
  // once (orphaned, out of the shell's group and session), reports both
  // pids, and hangs.
  const nlohmann::json c = {
      {"kind", "exec"},
      {"command", {"sh", "-c",
                   "(setsid sleep 60 & echo $$! > " + pids + ".tmp); echo $$$$ $$(cat " + pids +
                       ".tmp) > " + pids + "; echo started; sleep 60"}}};  // $$ reads as $
  auto r = RunFor(c, 600ms);
  CHECK(r.result.status == HealthStatus::kUnhealthy);
  CHECK(r.took >= 588ms);
  CHECK(r.took <= 660ms);
  CHECK(r.result.description ==
        "exec sh: no answer within the 600ms timeout; killed its process tree (3 processes); "
        "output \"started\"");
  CHECK(r.result.data["processes_killed"] == 3);
  std::ifstream in(pids);
  pid_t shell = 0;
  pid_t orphan = 0;
  in >> shell >> orphan;
  REQUIRE(orphan > 0);
  // Killed and reaped by the run's keeper.
  for (int i = 0; i < 100 && Alive(orphan); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK_FALSE(Alive(shell));
  CHECK_FALSE(Alive(orphan));
}

TEST_CASE("exec: what a plugin leaves running is killed when it exits", "[probes]") {
  vitals::testing::TempTree tree;
  const std::string pid_file = (tree.path() / "pid").string();
  auto r = RunFor({{"kind", "exec"},
                   {"command",
                    {"sh", "-c", "(setsid sleep 60 & echo $$! > " + pid_file + "); echo 'OK - done'"}}},
                  5s)
               .result;
  CHECK(r.status == HealthStatus::kHealthy);
  CHECK(r.description == "OK - done");
  CHECK(r.data["processes_killed"] == 1);
  pid_t left = 0;
  std::ifstream(pid_file) >> left;
  REQUIRE(left > 0);
  for (int i = 0; i < 100 && Alive(left); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK_FALSE(Alive(left));
}

TEST_CASE("file_age: fresh, degraded, stale and missing", "[probes]") {
  vitals::testing::TempTree tree;
  const auto path = tree.path() / "backup.ok";
  std::ofstream(path) << "ok";
  nlohmann::json c = {
      {"kind", "file_age"}, {"path", path.string()}, {"max_age", "1h"}, {"degraded_age", "30m"}};
  const std::string file = path.string();
  CHECK(RunFor(c, 1s).result.status == HealthStatus::kHealthy);
  auto set_age = [&](std::chrono::seconds age) {
    const auto t = std::chrono::system_clock::now() - age;
    timespec times[2];
    times[0].tv_sec = times[1].tv_sec = std::chrono::system_clock::to_time_t(t);
    times[0].tv_nsec = times[1].tv_nsec = 0;
    REQUIRE(::utimensat(AT_FDCWD, file.c_str(), times, 0) == 0);
  };
  set_age(45min);
  auto degraded = RunFor(c, 1s).result;
  CHECK(degraded.status == HealthStatus::kDegraded);
  CHECK(degraded.description ==
        "file " + file + " modified 45.0m ago, more than degraded_age 30.0m");
  set_age(2h);
  auto stale = RunFor(c, 1s).result;
  CHECK(stale.status == HealthStatus::kUnhealthy);
  CHECK(stale.description == "file " + file + " modified 2.0h ago, more than max_age 1.0h");
  CHECK(stale.data["file_age_seconds"].get<double>() == Approx(7200).margin(5));
  c["path"] = file + ".missing";
  CHECK(RunFor(c, 1s).result.description == "file " + file + ".missing does not exist");
}

TEST_CASE("secrets: read from a file, redacted from every text", "[probes]") {
  vitals::testing::TempTree tree;
  const auto file = tree.path() / "pw";
  std::ofstream(file) << "hunter2-secret\nignored second line";
  probes::ProbeRun run{probes::Deadline{std::chrono::steady_clock::now() + 1s, {}}, {}, {}};
  config::Secret s;
  s.file = file.string();
  CHECK(probes::ReadSecret(s, run) == "hunter2-secret");
  CHECK(run.secrets == std::vector<std::string>{"hunter2-secret"});
  CHECK(probes::Redact("auth failed for hunter2-secret (hunter2-secret)", run.secrets) ==
        "auth failed for <redacted> (<redacted>)");
  s.file = (tree.path() / "missing").string();
  CHECK_THROWS_WITH(probes::ReadSecret(s, run),
                    "cannot read password_file " + *s.file + ": No such file or directory");
  // A FIFO would block a plain open until a writer came: refused at once.
  s.file = (tree.path() / "fifo").string();
  REQUIRE(::mkfifo(s.file->c_str(), 0600) == 0);
  CHECK_THROWS_WITH(probes::ReadSecret(s, run),
                    "password_file " + *s.file + " is not a regular file");
  CHECK(probes::RedactDsn("postgres://app:s3cr%40t@db:5432/app?sslmode=require") ==
        "postgres://app:<redacted>@db:5432/app?sslmode=require");
  CHECK(probes::RedactDsn("host=db user=app password='a b c' dbname=app") ==
        "host=db user=app password=<redacted> dbname=app");
  CHECK(probes::RedactDsn("postgresql:///app?user=x&password=pw&host=/run") ==
        "postgresql:///app?user=x&password=<redacted>&host=/run");
}

TEST_CASE("AddKindSeries: vitals_probe_* from the snapshot, by each kind's metrics", "[probes]") {
  health::Snapshot snap;
  health::EntrySnapshot web;
  web.name = "web";
  web.kind = "http";
  web.duration = 15ms;
  web.data = {{"success", true}, {"http_status_code", 200}, {"ssl_earliest_cert_expiry", 1.9e9},
              {"server", "not a number"}, {"dns_answer_rrs", 3}};  // not an http metric
  health::EntrySnapshot db;
  db.name = "db";
  db.kind = "postgres";
  db.error = "timed out after 2s";  // the scheduler abandoned the run
  db.duration = 2s;
  health::EntrySnapshot cpu;
  cpu.name = "cpu";
  cpu.kind = "threshold";  // not a probe
  health::EntrySnapshot pending;
  pending.name = "new";
  pending.kind = "redis";
  pending.pending = true;
  snap.entries = {cpu, db, pending, web};
  collectors::MetricSink sink;
  health::AddKindSeries(snap, health::CheckKinds::Builtin(), sink);
  auto families = sink.Take();
  std::vector<std::string> names;
  for (const auto& f : families) {
    names.push_back(f.name);
  }
  CHECK(names == std::vector<std::string>{"vitals_probe_duration_seconds",
                                          "vitals_probe_http_status_code",
                                          "vitals_probe_ssl_earliest_cert_expiry",
                                          "vitals_probe_success"});
  const auto& success = families.back();
  REQUIRE(success.metric.size() == 2);
  CHECK(success.metric[0].label[0].value == "db");
  CHECK(success.metric[0].gauge.value == 0);
  CHECK(success.metric[1].gauge.value == 1);
  CHECK(families[0].metric[0].gauge.value == 2);
  CHECK(families[1].metric[0].gauge.value == 200);
  collectors::MetricSink empty;
  health::AddKindSeries({}, health::CheckKinds::Builtin(), empty);
  CHECK(empty.empty());
}

TEST_CASE("kinds: every probe kind is registered with its keys", "[probes]") {
  std::vector<std::string> probes;
  for (const auto& kind : health::CheckKinds::Builtin().all()) {
    if (kind.probe) {
      probes.emplace_back(kind.config.name);
    }
    CHECK_FALSE(kind.config.keys.empty());
  }
  CHECK(probes == std::vector<std::string>{"dns", "exec", "file_age", "grpc", "http", "icmp",
                                           "mysql", "postgres", "redis", "tcp", "tls_expiry"});
}

TEST_CASE("curl: AppendLine builds a list of copies, in order", "[probes]") {
  probes::CurlList list;
  std::string line = "Content-Type: application/grpc";
  REQUIRE(probes::AppendLine(list, line));
  line = "TE: trailers";  // the list holds its own copy
  REQUIRE(probes::AppendLine(list, line));
  REQUIRE(probes::AppendLine(list, "Expect:"));
  std::vector<std::string> lines;
  for (const curl_slist* l = list.get(); l != nullptr; l = l->next) {
    lines.emplace_back(l->data);
  }
  CHECK(lines == std::vector<std::string>{"Content-Type: application/grpc", "TE: trailers", "Expect:"});
}
