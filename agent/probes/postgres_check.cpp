// postgres: connect with libpq's non-blocking API and run `query` (SELECT 1),
// everything bound by the run's deadline. A host name in the DSN is resolved
// with our cancellable resolver and handed to libpq as hostaddr (libpq's own
// getaddrinfo would block past the deadline); statement_timeout is set to the
// check's timeout so the server also gives up on a query we abandon.
// Reports the server version in data.

#include "agent/health/kind.h"
#include "agent/probes/probe.h"

#include "agent/platform/dynlib.h"

#include <libpq-fe.h>
#include <linux/tcp.h>  // struct tcp_info with tcpi_bytes_received (glibc's lacks it)
#include <poll.h>
#include <sys/socket.h>

#include <cstddef>
#include <map>
#include <memory>

namespace vitals::probes {

namespace {

struct PostgresSettings : config::KindSettings {
  std::string dsn;  // libpq connection string or URI; may hold a password
  config::Secret password;
  std::string query = "SELECT 1";
};

PostgresSettings ReadPostgres(const config::Reader& r) {
  PostgresSettings c;
  c.dsn = r.String("dsn", true).value_or("");
  c.password = config::ReadSecret(r);
  if (auto q = r.String("query")) {
    if (q->empty()) {
      r.At("query").Fail("expected an SQL query, got an empty string");
    }
    c.query = *q;
  }
  return c;
}

class PostgresCheck final : public ProbeCheck {
 public:
  PostgresCheck(PostgresSettings config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  PostgresSettings config_;
};

}  // namespace


namespace {

// libpq.so.5 is loaded when the first probe needs it (dynlib.h).
#define VITALS_PQ_FUNCTIONS(X) \
  X(PQclear) \
  X(PQconnectPoll) \
  X(PQconnectStartParams) \
  X(PQconninfoFree) \
  X(PQconninfoParse) \
  X(PQconsumeInput) \
  X(PQerrorMessage) \
  X(PQfinish) \
  X(PQflush) \
  X(PQfreemem) \
  X(PQgetResult) \
  X(PQisBusy) \
  X(PQntuples) \
  X(PQresultErrorMessage) \
  X(PQresultStatus) \
  X(PQsendQuery) \
  X(PQserverVersion) \
  X(PQsetnonblocking) \
  X(PQsocket) \
  X(PQstatus)
VITALS_DYNLIB_API(PqApi, Pq, "libpq.so.5", VITALS_PQ_FUNCTIONS)
#undef VITALS_PQ_FUNCTIONS

struct ConnDeleter {
  void operator()(PGconn* c) const { Pq().PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { Pq().PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// libpq messages end in newlines and may span lines; one line for people.
std::string OneLine(const char* message) {
  std::string out;
  bool space = false;
  for (const char* p = message; p != nullptr && *p != '\0'; ++p) {
    if (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += *p;
  }
  return out.empty() ? "unknown error" : out;
}

// The DSN's parameters (libpq parses both forms); throws on a malformed one
// without repeating it (it may hold a password).
std::map<std::string, std::string> ParseDsn(const std::string& dsn, ProbeRun& run) {
  char* error = nullptr;
  PQconninfoOption* options = Pq().PQconninfoParse(dsn.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? OneLine(error) : "out of memory";
    Pq().PQfreemem(error);
    throw ProbeFailure("postgres: invalid dsn: " + message);
  }
  std::map<std::string, std::string> out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) {
      out[o->keyword] = o->val;
    }
  }
  Pq().PQconninfoFree(options);
  if (auto pw = out.find("password"); pw != out.end() && !pw->second.empty()) {
    run.secrets.push_back(pw->second);
  }
  return out;
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& key,
                const std::string& fallback = {}) {
  auto it = m.find(key);
  return it == m.end() || it->second.empty() ? fallback : it->second;
}

// What a server may send on one connection (startup, authentication,
// TLS, the answer); libpq itself would buffer any result whole.
constexpr std::uint64_t kMaxReceived = 1 << 20;

// Waits for the connection's socket; first makes sure the server has not
// sent more than kMaxReceived (counted by the kernel for TCP; a Unix socket
// has no such count).
void Wait(PGconn* conn, short events, const Deadline& deadline, const std::string& what) {
  const int fd = Pq().PQsocket(conn);
  if (fd < 0) {
    throw ProbeFailure(what + ": " + OneLine(Pq().PQerrorMessage(conn)));
  }
  tcp_info info{};
  socklen_t length = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0 &&
      length >= offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received &&
      info.tcpi_bytes_received > kMaxReceived) {
    throw ProbeFailure(what + ": the server sent over " + std::to_string(kMaxReceived) +
                       " bytes (" + std::to_string(info.tcpi_bytes_received) + ")");
  }
  WaitFor(fd, events, deadline, what);
}

// hostaddr for the DSN's hosts ("db1,db2"), looked up with c-ares within the
// deadline, so that libpq never calls getaddrinfo (which cannot be
// cancelled); empty entries for Unix socket directories. Empty when the
// DSN sets hostaddr itself or names no host (libpq's default socket).
std::string HostAddresses(const std::string& hosts, const Deadline& deadline) {
  std::string out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = hosts.find(',', start);
    const std::string host = hosts.substr(start, end == std::string::npos ? end : end - start);
    if (!host.empty() && host[0] != '/' && host[0] != '@') {
      out += Resolve(host, 0, {}, deadline)[0].ToString();
    }
    if (end == std::string::npos) {
      return out;
    }
    out += ',';
    start = end + 1;
  }
}

}  // namespace

health::CheckResult PostgresCheck::Probe(ProbeRun& run) {
  Need(Pq);
  const std::string password = ReadSecret(config_.password, run);
  const auto dsn = ParseDsn(config_.dsn, run);
  const std::string host = Get(dsn, "host", "localhost");
  const std::string port = Get(dsn, "port", "5432");
  const std::string user = Get(dsn, "user");
  const std::string target = "postgres " + (user.empty() ? "" : user + "@") + host + ":" + port +
                             "/" + Get(dsn, "dbname", user);

  // Parameters after "dbname" (the expanded DSN) override the DSN's.
  std::vector<std::pair<std::string, std::string>> params = {{"dbname", config_.dsn}};
  if (!password.empty()) {
    params.emplace_back("password", password);
  }
  if (!Get(dsn, "host").empty() && Get(dsn, "hostaddr").empty()) {
    try {
      params.emplace_back("hostaddr", HostAddresses(host, run.deadline));
    } catch (const ProbeFailure& e) {
      throw ProbeFailure(target + ": " + e.what());
    }
  }
  const auto timeout_ms = std::max<long long>(run.deadline.Remaining().count(), 1);
  std::string options = Get(dsn, "options");
  options += (options.empty() ? "" : " ") + std::string("-c statement_timeout=") +
             std::to_string(timeout_ms);
  params.emplace_back("options", options);
  params.emplace_back("fallback_application_name", "vitals");
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  Conn conn(Pq().PQconnectStartParams(keys.data(), values.data(), 1));
  if (!conn) {
    throw ProbeFailure(target + ": libpq could not allocate a connection");
  }
  if (Pq().PQstatus(conn.get()) == CONNECTION_BAD) {
    throw ProbeFailure(target + ": " + OneLine(Pq().PQerrorMessage(conn.get())));
  }
  const std::string connecting = target + ": connect";
  for (PostgresPollingStatusType st = PGRES_POLLING_WRITING; st != PGRES_POLLING_OK;) {
    if (st == PGRES_POLLING_FAILED) {
      throw ProbeFailure(target + ": " + OneLine(Pq().PQerrorMessage(conn.get())));
    }
    Wait(conn.get(), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, run.deadline, connecting);
    st = Pq().PQconnectPoll(conn.get());
  }
  const int v = Pq().PQserverVersion(conn.get());
  const std::string version = v >= 100000 ? std::to_string(v / 10000) + "." +
                                                std::to_string(v % 10000)
                                          : std::to_string(v / 10000) + "." +
                                                std::to_string(v / 100 % 100) + "." +
                                                std::to_string(v % 100);
  run.data["server_version"] = version;

  const std::string querying = target + ": " + Excerpt(config_.query, 40);
  if (Pq().PQsetnonblocking(conn.get(), 1) != 0 || Pq().PQsendQuery(conn.get(), config_.query.c_str()) != 1) {
    throw ProbeFailure(querying + ": " + OneLine(Pq().PQerrorMessage(conn.get())));
  }
  for (int flushed = Pq().PQflush(conn.get()); flushed != 0; flushed = Pq().PQflush(conn.get())) {
    if (flushed < 0) {
      throw ProbeFailure(querying + ": " + OneLine(Pq().PQerrorMessage(conn.get())));
    }
    Wait(conn.get(), POLLOUT, run.deadline, querying);
  }
  std::string failure;
  int rows = 0;
  for (;;) {
    if (Pq().PQconsumeInput(conn.get()) != 1) {
      throw ProbeFailure(querying + ": " + OneLine(Pq().PQerrorMessage(conn.get())));
    }
    if (Pq().PQisBusy(conn.get())) {
      Wait(conn.get(), POLLIN, run.deadline, querying);
      continue;
    }
    Result result(Pq().PQgetResult(conn.get()));
    if (!result) {
      break;
    }
    const ExecStatusType status = Pq().PQresultStatus(result.get());
    if (status == PGRES_TUPLES_OK) {
      rows += Pq().PQntuples(result.get());
    } else if (status != PGRES_COMMAND_OK && failure.empty()) {
      failure = OneLine(Pq().PQresultErrorMessage(result.get()));
    }
  }
  if (!failure.empty()) {
    throw ProbeFailure(querying + ": " + failure);
  }
  run.data["rows"] = rows;
  return health::CheckResult::Healthy(target + ": query ok in " + run.deadline.Elapsed() +
                                      " (server " + version + ")");
}

VITALS_REGISTER_CHECK_KIND(postgres, (ProbeKind<PostgresSettings, PostgresCheck>(
                                "postgres", {"dsn", "password", "password_file", "query"}, ReadPostgres,
                                {})));

}  // namespace vitals::probes
