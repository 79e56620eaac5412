// mysql: connect to MySQL or MariaDB with MariaDB Connector/C's non-blocking
// API (libmariadb.so.3, loaded on first use like libpq) and run `query`
// (SELECT 1), everything bound by the run's deadline: each step returns what
// it waits for (MYSQL_WAIT_READ, _WRITE, ...) and we poll the socket within
// the deadline, so a server that accepts and never answers is given up at
// the timeout. The host is resolved with our cancellable resolver and handed
// to the library as an address (its getaddrinfo would block past the
// deadline, and "localhost" would mean its Unix socket). Reports the server
// version in data.
//
//   {"name": "db", "kind": "mysql", "address": "db:3306", "user": "monitor",
//    "password_file": "/etc/vitals/mysql.pw", "database": "app",
//    "query": "SELECT 1", "tls": {"ca_file": "/etc/ssl/db-ca.pem"}}

#include <mysql.h>
#include <poll.h>
#include <sys/socket.h>

#include <memory>
#include <mutex>

#include "agent/health/kind.h"
#include "agent/platform/dynlib.h"
#include "agent/probes/probe.h"

namespace vitals::probes {

namespace {

struct MysqlSettings : config::KindSettings {
  config::HostPort address;
  std::string user;
  config::Secret password;
  std::string database;
  std::string query = "SELECT 1";
  config::TlsClientConfig tls;
};

MysqlSettings ReadMysql(const config::Reader& r) {
  MysqlSettings c;
  c.address = config::ReadAddress(r, "address").value_or(config::HostPort{});
  c.user = r.String("user", true).value_or("");
  c.password = config::ReadSecret(r);
  c.database = r.String("database").value_or("");
  if (auto q = r.String("query")) {
    if (q->empty()) {
      r.At("query").Fail("expected an SQL query, got an empty string");
    }
    c.query = *q;
  }
  c.tls = config::ReadTls(r, true);
  return c;
}

// libmariadb.so.3 (Debian's libmariadb3) is loaded when the first probe needs it.
#define VITALS_MYSQL_FUNCTIONS(X) \
  X(mysql_close)                  \
  X(mysql_errno)                  \
  X(mysql_error)                  \
  X(mysql_free_result)            \
  X(mysql_get_server_info)        \
  X(mysql_get_socket)             \
  X(mysql_get_timeout_value_ms)   \
  X(mysql_init)                   \
  X(mysql_num_rows)               \
  X(mysql_options)                \
  X(mysql_real_connect_cont)      \
  X(mysql_real_connect_start)     \
  X(mysql_real_query_cont)        \
  X(mysql_real_query_start)       \
  X(mysql_server_init)            \
  X(mysql_ssl_set)                \
  X(mysql_store_result_cont)      \
  X(mysql_store_result_start)
VITALS_DYNLIB_API(MysqlApi, Mysql, "libmariadb.so.3", VITALS_MYSQL_FUNCTIONS)
#undef VITALS_MYSQL_FUNCTIONS

// Closes the connection without waiting for the server: the socket is shut
// down first, so the library's goodbye fails at once instead of blocking.
struct MysqlCloser {
  void operator()(MYSQL* m) const {
    if (const my_socket fd = Mysql().mysql_get_socket(m); fd >= 0) {
      ::shutdown(fd, SHUT_RDWR);
    }
    Mysql().mysql_close(m);
  }
};
using Connection = std::unique_ptr<MYSQL, MysqlCloser>;

struct ResultFree {
  void operator()(MYSQL_RES* r) const { Mysql().mysql_free_result(r); }
};

// Waits for what the library asked for (`status`: MYSQL_WAIT_*), within the
// deadline; returns what happened, for the next *_cont call.
int Await(MYSQL* m, int status, const Deadline& deadline, std::string_view what) {
  short events = 0;
  events |= (status & MYSQL_WAIT_READ) != 0 ? POLLIN : 0;
  events |= (status & MYSQL_WAIT_WRITE) != 0 ? POLLOUT : 0;
  events |= (status & MYSQL_WAIT_EXCEPT) != 0 ? POLLPRI : 0;
  const int fd = Mysql().mysql_get_socket(m);
  if (events == 0 || fd < 0) {  // only the library's own timer
    const auto until = std::min(deadline.Remaining(),
                                std::chrono::milliseconds(Mysql().mysql_get_timeout_value_ms(m)));
    ::poll(nullptr, 0, static_cast<int>(until.count()));
    deadline.Check(what);
    return MYSQL_WAIT_TIMEOUT;
  }
  const short got = WaitFor(fd, events, deadline, what);
  int ready = 0;
  ready |= (got & (POLLIN | POLLHUP | POLLERR)) != 0 ? MYSQL_WAIT_READ : 0;
  ready |= (got & POLLOUT) != 0 ? MYSQL_WAIT_WRITE : 0;
  ready |= (got & POLLPRI) != 0 ? MYSQL_WAIT_EXCEPT : 0;
  return ready;
}

std::string ErrorOf(MYSQL* m) {
  return std::string(Mysql().mysql_error(m)) + " (error " + std::to_string(Mysql().mysql_errno(m)) +
         ")";
}

class MysqlCheck final : public ProbeCheck {
 public:
  MysqlCheck(MysqlSettings config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override {
    Need(Mysql);
    static std::once_flag once;  // mysql_init would do it, but not thread-safely
    std::call_once(once, [] { Mysql().mysql_server_init(0, nullptr, nullptr); });
    const std::string password = ReadSecret(config_.password, run);
    const std::string target = "mysql " + config_.user + "@" + config_.address.ToString() +
                               (config_.database.empty() ? "" : "/" + config_.database);
    Address address;
    try {
      address = Resolve(config_.address.host, config_.address.port, {}, run.deadline).at(0);
    } catch (const ProbeFailure& e) {
      throw ProbeFailure(target + ": " + e.what());
    }
    run.data["ip_protocol"] = address.family() == AF_INET6 ? 6 : 4;

    Connection conn(Mysql().mysql_init(nullptr));
    if (!conn) {
      throw ProbeFailure(target + ": libmariadb could not allocate a connection");
    }
    MYSQL* m = conn.get();
    Mysql().mysql_options(m, MYSQL_OPT_NONBLOCK, nullptr);
    // The library's own limits, in whole seconds: a backstop behind our deadline.
    const unsigned seconds =
        static_cast<unsigned>(run.deadline.Remaining().count() / 1000 + 1);
    Mysql().mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &seconds);
    Mysql().mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &seconds);
    Mysql().mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &seconds);
    if (config_.tls.enabled) {
      auto or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
      Mysql().mysql_ssl_set(m, or_null(config_.tls.key_file), or_null(config_.tls.cert_file),
                            or_null(config_.tls.ca_file), nullptr, nullptr);
      const my_bool enforce = 1;
      const my_bool verify = config_.tls.insecure_skip_verify ? 0 : 1;
      Mysql().mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
      Mysql().mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    }

    const std::string connecting = target + ": connect";
    MYSQL* connected = nullptr;
    int status = Mysql().mysql_real_connect_start(
        &connected, m, address.ToString().c_str(), config_.user.c_str(),
        password.empty() ? nullptr : password.c_str(),
        config_.database.empty() ? nullptr : config_.database.c_str(), config_.address.port,
        nullptr, 0);
    while (status != 0) {
      status = Mysql().mysql_real_connect_cont(&connected, m, Await(m, status, run.deadline, connecting));
    }
    if (connected == nullptr) {
      throw ProbeFailure(target + ": " + ErrorOf(m));
    }
    const std::string version = Mysql().mysql_get_server_info(m);
    run.data["server_version"] = version;

    const std::string querying = target + ": " + Excerpt(config_.query, 40);
    int failed = 0;
    status = Mysql().mysql_real_query_start(&failed, m, config_.query.data(), config_.query.size());
    while (status != 0) {
      status = Mysql().mysql_real_query_cont(&failed, m, Await(m, status, run.deadline, querying));
    }
    if (failed != 0) {
      throw ProbeFailure(querying + ": " + ErrorOf(m));
    }
    MYSQL_RES* raw = nullptr;
    status = Mysql().mysql_store_result_start(&raw, m);
    while (status != 0) {
      status = Mysql().mysql_store_result_cont(&raw, m, Await(m, status, run.deadline, querying));
    }
    std::unique_ptr<MYSQL_RES, ResultFree> result(raw);
    if (!result && Mysql().mysql_errno(m) != 0) {
      throw ProbeFailure(querying + ": " + ErrorOf(m));
    }
    const auto rows = result ? Mysql().mysql_num_rows(result.get()) : 0;
    run.data["rows"] = rows;
    return health::CheckResult::Healthy(target + " (server " + version + "): " +
                                        Excerpt(config_.query, 40) + " returned " +
                                        std::to_string(rows) + (rows == 1 ? " row" : " rows") +
                                        " in " + run.deadline.Elapsed());
  }

 private:
  MysqlSettings config_;
};

}  // namespace

VITALS_REGISTER_CHECK_KIND(mysql, (ProbeKind<MysqlSettings, MysqlCheck>(
                                      "mysql",
                                      {"address", "user", "password", "password_file", "database",
                                       "query", "tls"},
                                      ReadMysql, {{"ip_protocol", &kIpProtocol}})));

}  // namespace vitals::probes
