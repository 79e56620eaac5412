#include "agent/http/web_config.h"

#include "agent/http/basic_auth.h"
#include "config/config.h"
#include "config/document.h"

namespace vitals::http {

std::string_view ClientAuthName(ClientAuth auth) {
  switch (auth) {
    case ClientAuth::kNoClientCert: return "NoClientCert";
    case ClientAuth::kRequestClientCert: return "RequestClientCert";
    case ClientAuth::kRequireAnyClientCert: return "RequireAnyClientCert";
    case ClientAuth::kVerifyClientCertIfGiven: return "VerifyClientCertIfGiven";
    case ClientAuth::kRequireAndVerifyClientCert: return "RequireAndVerifyClientCert";
  }
  return "?";
}

std::string_view TlsVersionName(TlsVersion version) {
  return version == TlsVersion::kTls13 ? "TLS13" : "TLS12";
}

bool PathHasPrefix(std::string_view path, std::string_view prefix) {
  if (prefix == "/") {
    return true;
  }
  return path.substr(0, prefix.size()) == prefix &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

namespace {

using config::Describe;
using config::Reader;

std::filesystem::path Resolve(const std::filesystem::path& base, const std::string& file) {
  std::filesystem::path p(file);
  return p.is_absolute() || base.empty() ? p : base / p;
}

void ReadTls(const Reader& r, const std::filesystem::path& base, TlsServerConfig* out) {
  if (!r.Object({"cert_file", "key_file", "client_ca_file", "client_auth_type", "min_version"})) {
    return;
  }
  auto nonempty = [&](std::string_view key, bool required) -> std::optional<std::string> {
    auto v = r.String(key, required);
    if (v && v->empty()) {
      r.At(key).Fail("expected a file path, got an empty string");
      return std::nullopt;
    }
    return v;
  };
  if (auto v = nonempty("cert_file", true)) {
    out->cert_file = Resolve(base, *v);
  }
  if (auto v = nonempty("key_file", true)) {
    out->key_file = Resolve(base, *v);
  }
  if (auto v = nonempty("client_ca_file", false)) {
    out->client_ca_file = Resolve(base, *v);
  }
  bool auth_given = false;
  if (auto v = r.String("client_auth_type")) {
    static constexpr ClientAuth kAll[] = {
        ClientAuth::kNoClientCert, ClientAuth::kRequestClientCert,
        ClientAuth::kRequireAnyClientCert, ClientAuth::kVerifyClientCertIfGiven,
        ClientAuth::kRequireAndVerifyClientCert};
    bool found = false;
    for (ClientAuth a : kAll) {
      if (ClientAuthName(a) == *v) {
        out->client_auth = a;
        found = auth_given = true;
      }
    }
    if (!found) {
      r.At("client_auth_type")
          .Fail("expected one of NoClientCert, RequestClientCert, RequireAnyClientCert, "
                "VerifyClientCertIfGiven, RequireAndVerifyClientCert, got " +
                Describe(r.At("client_auth_type").value()));
    }
  }
  if (auto v = r.String("min_version")) {
    if (*v == "TLS12") {
      out->min_version = TlsVersion::kTls12;
    } else if (*v == "TLS13") {
      out->min_version = TlsVersion::kTls13;
    } else if (*v == "TLS10" || *v == "TLS11") {
      r.At("min_version")
          .Fail("TLS 1.0 and 1.1 are refused by OpenSSL 3 at its default security level; "
                "expected \"TLS12\" or \"TLS13\", got " + Describe(r.At("min_version").value()));
    } else {
      r.At("min_version")
          .Fail("expected \"TLS12\" or \"TLS13\", got " + Describe(r.At("min_version").value()));
    }
  }
  bool verifies = out->client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                  out->client_auth == ClientAuth::kRequireAndVerifyClientCert;
  if (verifies && out->client_ca_file.empty() && r.Has("client_auth_type")) {
    r.At("client_auth_type")
        .Fail(std::string(ClientAuthName(out->client_auth)) +
              " verifies client certificates and needs client_ca_file");
  }
  if (!out->client_ca_file.empty() && r.Has("client_ca_file") &&
      (!auth_given || out->client_auth == ClientAuth::kNoClientCert)) {
    // exporter-toolkit refuses this too: a CA that is never used is a mistake.
    r.At("client_ca_file")
        .Fail("client_ca_file is set but client_auth_type does not verify client certificates "
              "(set it to RequireAndVerifyClientCert or VerifyClientCertIfGiven)");
  }
}

void ReadUsers(const Reader& r, std::map<std::string, std::string, std::less<>>* out) {
  if (!r.value().is_object()) {
    r.Fail("expected an object of user name to bcrypt hash, got " + Describe(r.value()));
    return;
  }
  for (const auto& [user, unused] : r.value().items()) {
    Reader u = r.At(user);
    if (user.empty() || user.find(':') != std::string::npos) {
      u.Fail("a user name must be non-empty and must not contain ':' (basic auth splits on it)");
      continue;
    }
    // Read raw, without ${ENV} expansion: every bcrypt hash is full of '$'.
    if (!u.value().is_string()) {
      u.Fail("expected a bcrypt hash string, got " + Describe(u.value()));
      continue;
    }
    const std::string& hash = u.value().get_ref<const std::string&>();
    std::string why;
    if (!IsBcryptHash(hash, &why)) {
      u.Fail("expected a bcrypt hash like \"$2y$10$...\" (htpasswd -nbBC 10 user pass), " + why);
      continue;
    }
    out->emplace(user, hash);
  }
}

void ReadLimits(const Reader& r, Limits* out) {
  if (!r.Object({"max_connections", "header_timeout", "request_timeout", "idle_timeout",
                 "max_header_bytes", "max_body_bytes"})) {
    return;
  }
  auto at_least = [&](std::string_view key, std::uint64_t value, std::uint64_t min) {
    if (value < min) {
      r.At(key).Fail("must be at least " + std::to_string(min) + ", got " +
                     std::to_string(value));
      return false;
    }
    return true;
  };
  if (auto v = r.Uint("max_connections", 100'000); v && at_least("max_connections", *v, 1)) {
    out->max_connections = static_cast<std::uint32_t>(*v);
  }
  if (auto v = r.Uint("max_header_bytes", 1 << 20); v && at_least("max_header_bytes", *v, 1024)) {
    out->max_header_bytes = static_cast<std::uint32_t>(*v);
  }
  if (auto v = r.Uint("max_body_bytes", std::uint64_t{1} << 32)) {
    out->max_body_bytes = *v;
  }
  auto duration = [&](std::string_view key, std::chrono::milliseconds* field) {
    if (auto d = r.Duration(key)) {
      if (d->count() < 100 || d->count() > 3'600'000) {
        r.At(key).Fail("expected a duration from 100ms to 1h, got " + Describe(r.At(key).value()));
      } else {
        *field = *d;
      }
    }
  };
  duration("header_timeout", &out->header_timeout);
  duration("request_timeout", &out->request_timeout);
  duration("idle_timeout", &out->idle_timeout);
}

}  // namespace

WebConfig ParseWebConfig(std::string_view text, std::string_view source,
                         const std::filesystem::path& base_dir, const config::EnvLookup& env) {
  const nlohmann::json doc = config::ParseJson(text, source);  // bounded: config/document.h
  std::vector<config::Problem> problems;
  WebConfig out;
  Reader root(doc, "", &problems, &env);
  if (root.Object({"tls_server_config", "basic_auth_users", "protected_paths", "limits"})) {
    if (root.Has("tls_server_config")) {
      TlsServerConfig tls;
      ReadTls(root.At("tls_server_config"), base_dir, &tls);
      out.tls = std::move(tls);
    }
    if (root.Has("basic_auth_users")) {
      ReadUsers(root.At("basic_auth_users"), &out.basic_auth_users);
    }
    if (root.Has("protected_paths")) {
      out.protected_paths.clear();
      root.Array("protected_paths", [&](const Reader& p) {
        if (!p.value().is_string() || p.value().get_ref<const std::string&>().empty() ||
            p.value().get_ref<const std::string&>().front() != '/') {
          p.Fail("expected a path starting with '/', got " + Describe(p.value()));
          return;
        }
        out.protected_paths.push_back(p.value().get<std::string>());
      });
      if (root.Has("protected_paths") && !root.Has("basic_auth_users")) {
        root.At("protected_paths").Fail("protected_paths needs basic_auth_users");
      }
    }
    if (root.Has("limits")) {
      ReadLimits(root.At("limits"), &out.limits);
    }
  }
  if (!problems.empty()) {
    throw config::ConfigError(std::string(source), std::move(problems));
  }
  return out;
}

WebConfig LoadWebConfig(const std::filesystem::path& path) {
  return ParseWebConfig(config::ReadFile(path), path.string(), path.parent_path(),
                        config::ProcessEnv());
}

}  // namespace vitals::http
