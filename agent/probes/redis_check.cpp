// redis: AUTH (password, or ACL user and password) when configured, then PING
// and INFO server, over a hand-written RESP client (resp.h) on our own
// deadline-bound socket, optionally TLS. A hand-written client rather than
// hiredis: three commands need ~150 lines, and hiredis' blocking API has
// only a connect/command timeout pair, not one deadline for the whole run;
// its TLS half would be a second library to package.

#include "agent/health/kind.h"
#include "agent/probes/probe.h"
#include "agent/probes/resp.h"

namespace vitals::probes {

namespace {

struct RedisSettings : config::KindSettings {
  config::HostPort address;
  std::string username;  // Redis 6 ACL user; empty: AUTH <password> only
  config::Secret password;
  config::TlsClientConfig tls;
};

RedisSettings ReadRedis(const config::Reader& r) {
  RedisSettings c;
  c.address = config::ReadAddress(r, "address").value_or(config::HostPort{});
  c.username = r.String("username").value_or("");
  c.password = config::ReadSecret(r);
  if (!c.username.empty() && c.password.empty()) {
    r.FailAt("password", "missing: AUTH with a username needs a password");
  }
  c.tls = config::ReadTls(r, true);
  return c;
}

class RedisCheck final : public ProbeCheck {
 public:
  RedisCheck(RedisSettings config, health::HealthStatus on_failure)
      : ProbeCheck(on_failure), config_(std::move(config)) {}

 protected:
  health::CheckResult Probe(ProbeRun& run) override;

 private:
  RedisSettings config_;
};

}  // namespace


namespace {

// Reads replies from a stream through one incremental parser, keeping what
// follows one reply for the next. Each byte is parsed once, and a reply is
// at most kRespMaxReply bytes: a server that floods costs a bounded read.
class ReplyReader {
 public:
  ReplyReader(Stream& stream, const Deadline& deadline, std::string target)
      : stream_(stream), deadline_(deadline), target_(std::move(target)) {}

  RespValue Next(std::string_view command) {
    for (;;) {
      pending_.erase(0, parser_.Feed(pending_));
      if (parser_.status() == RespParser::Status::kComplete) {
        return parser_.Take();
      }
      if (parser_.status() == RespParser::Status::kInvalid) {
        throw ProbeFailure(target_ + ": invalid answer to " + std::string(command) + ": " +
                           parser_.error());
      }
      char buf[16384];
      std::size_t n;
      try {
        n = stream_.ReadSome(buf, sizeof buf, deadline_);
      } catch (const ProbeFailure& e) {
        throw ProbeFailure(target_ + ": " + std::string(command) + ": " + e.what() + " (" +
                           std::to_string(parser_.consumed()) + " bytes of it received)");
      }
      if (n == 0) {
        throw ProbeFailure(target_ + ": connection closed before the answer to " +
                           std::string(command));
      }
      pending_.assign(buf, n);  // the parser used all that came before
    }
  }

 private:
  Stream& stream_;
  const Deadline& deadline_;
  std::string target_;
  RespParser parser_;
  std::string pending_;  // received, not parsed yet
};

std::string InfoField(const std::string& info, std::string_view key) {
  const std::string prefix = std::string(key) + ":";
  std::size_t pos = info.rfind(prefix, 0) == 0 ? 0 : info.find("\n" + prefix);
  if (pos == std::string::npos) {
    return {};
  }
  pos = info.find(':', pos) + 1;
  const std::size_t end = info.find_first_of("\r\n", pos);
  return info.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

}  // namespace

health::CheckResult RedisCheck::Probe(ProbeRun& run) {
  const std::string target = "redis " + config_.address.ToString();
  const std::string password = ReadSecret(config_.password, run);
  Address peer;
  Stream stream(Fd{});
  try {
    stream = Stream(Connect(config_.address, run.deadline, &peer));
    run.data["ip_protocol"] = peer.family() == AF_INET6 ? 6 : 4;
    if (config_.tls.enabled) {
      stream.StartTls(config_.tls, config_.address.host, true, run.deadline);
    }
  } catch (const ProbeFailure& e) {
    throw ProbeFailure("redis: " + std::string(e.what()));
  }
  if (config_.tls.enabled) {
    if (auto expiry = PeerChainExpiry(stream.ssl())) {
      run.data["ssl_earliest_cert_expiry"] = expiry->earliest_not_after;
    }
  }
  ReplyReader replies(stream, run.deadline, target);
  if (!password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!config_.username.empty()) {
      auth.push_back(config_.username);
    }
    auth.push_back(password);
    stream.WriteAll(EncodeRespCommand(auth), run.deadline);
    RespValue reply = replies.Next("AUTH");
    if (reply.type == RespValue::Type::kError) {
      throw ProbeFailure(target + ": AUTH refused: " + Excerpt(reply.text, 200));
    }
  }
  const std::vector<std::string> ping = {"PING"};
  const std::vector<std::string> info = {"INFO", "server"};
  stream.WriteAll(EncodeRespCommand(ping) + EncodeRespCommand(info), run.deadline);
  RespValue pong = replies.Next("PING");
  if (pong.type == RespValue::Type::kError) {
    throw ProbeFailure(target + ": PING refused: " + Excerpt(pong.text, 200));
  }
  if (pong.type != RespValue::Type::kSimple || pong.text != "PONG") {
    throw ProbeFailure(target + ": PING answered \"" + Excerpt(pong.text) + "\", not PONG");
  }
  RespValue server = replies.Next("INFO server");
  std::string version;
  if (server.type == RespValue::Type::kBulk) {
    version = InfoField(server.text, "redis_version");
  }
  if (!version.empty()) {
    run.data["server_version"] = version;
  }
  return health::CheckResult::Healthy(target + ": PONG in " + run.deadline.Elapsed() +
                                      (version.empty() ? "" : " (redis " + version + ")"));
}

VITALS_REGISTER_CHECK_KIND(redis, (ProbeKind<RedisSettings, RedisCheck>(
                                "redis", {"address", "username", "password", "password_file", "tls"}, ReadRedis,
                                {{"ip_protocol", &kIpProtocol}, {"ssl_earliest_cert_expiry", &kSslEarliestCertExpiry}})));

}  // namespace vitals::probes
