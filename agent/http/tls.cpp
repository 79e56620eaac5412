#include "agent/http/tls.h"

#include <cerrno>
#include <cstring>
#include <ctime>

#include "agent/log/log.h"
#include "agent/platform/openssl.h"

namespace vitals::http {

namespace {

using platform::OpenSsl;

// Drains the thread's OpenSSL error queue into one line.
std::string OpenSslError() {
  std::string out;
  while (unsigned long e = OpenSsl().ERR_get_error()) {
    char buf[256];
    OpenSsl().ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "no detail from OpenSSL" : out;
}

bool SameStamp(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
         a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

struct stat Stamp(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    st = {};  // missing: compares unequal to any real file, equal to "missing" again
  }
  return st;
}

struct BioCloser {
  void operator()(BIO* b) const { OpenSsl().BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioCloser>;

Bio OpenFile(const std::filesystem::path& path, std::string* error) {
  OpenSsl().ERR_clear_error();
  Bio bio(OpenSsl().BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    *error = "cannot open " + path.string() + ": " + std::strerror(errno);
  }
  return bio;
}

int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

}  // namespace

struct TlsContext::Material {
  TlsServerConfig config;
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  STACK_OF(X509)* chain = nullptr;
  X509_STORE* ca = nullptr;
  STACK_OF(X509_NAME)* ca_names = nullptr;
  struct stat cert_stamp {};
  struct stat key_stamp {};
  std::int64_t not_after = 0;

  Material() = default;
  Material(const Material&) = delete;
  Material& operator=(const Material&) = delete;
  ~Material() {
    OpenSsl().X509_free(cert);
    OpenSsl().EVP_PKEY_free(key);
    platform::FreeX509Stack(chain);
    OpenSsl().X509_STORE_free(ca);
    platform::FreeX509NameStack(ca_names);
  }

  // Reads every file of `config`; the error names the file and OpenSSL's reason.
  static std::variant<std::shared_ptr<const Material>, std::string> Load(
      const TlsServerConfig& config) {
    // First, so that a missing libssl is one clear error at startup or reload
    // (and ~Material never has to load it).
    if (std::string error = platform::LoadOpenSsl(); !error.empty()) {
      return "tls_server_config: TLS needs OpenSSL 3 (Debian package libssl3): " + error;
    }
    auto m = std::make_shared<Material>();
    m->config = config;
    m->cert_stamp = Stamp(config.cert_file);
    m->key_stamp = Stamp(config.key_file);
    std::string error;

    Bio cert_bio = OpenFile(config.cert_file, &error);
    if (!cert_bio) {
      return "tls_server_config.cert_file: " + error;
    }
    m->cert = OpenSsl().PEM_read_bio_X509_AUX(cert_bio.get(), nullptr, nullptr, nullptr);
    if (m->cert == nullptr) {
      return "tls_server_config.cert_file: " + config.cert_file.string() +
             " holds no PEM certificate: " + OpenSslError();
    }
    m->chain = platform::NewX509Stack();
    while (X509* extra = OpenSsl().PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)) {
      platform::PushX509(m->chain, extra);
    }
    OpenSsl().ERR_clear_error();  // the loop ends on "no start line", which is not an error

    Bio key_bio = OpenFile(config.key_file, &error);
    if (!key_bio) {
      return "tls_server_config.key_file: " + error;
    }
    // A null passphrase callback with an empty string: an encrypted key fails
    // here instead of prompting on the terminal.
    static char kEmpty[] = "";
    m->key = OpenSsl().PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, kEmpty);
    if (m->key == nullptr) {
      return "tls_server_config.key_file: " + config.key_file.string() +
             " holds no unencrypted PEM private key: " + OpenSslError();
    }
    if (OpenSsl().X509_check_private_key(m->cert, m->key) != 1) {
      OpenSsl().ERR_clear_error();
      return "tls_server_config: the key in " + config.key_file.string() +
             " does not match the certificate in " + config.cert_file.string();
    }
    struct tm tm {};
    if (OpenSsl().ASN1_TIME_to_tm(OpenSsl().X509_get0_notAfter(m->cert), &tm) == 1) {
      m->not_after = static_cast<std::int64_t>(timegm(&tm));
    }

    if (!config.client_ca_file.empty()) {
      m->ca = OpenSsl().X509_STORE_new();
      if (OpenSsl().X509_STORE_load_file(m->ca, config.client_ca_file.c_str()) != 1) {
        return "tls_server_config.client_ca_file: cannot load " + config.client_ca_file.string() +
               ": " + OpenSslError();
      }
      m->ca_names = OpenSsl().SSL_load_client_CA_file(config.client_ca_file.c_str());
      if (m->ca_names == nullptr) {
        return "tls_server_config.client_ca_file: " + config.client_ca_file.string() +
               " holds no PEM certificate: " + OpenSslError();
      }
    }
    return std::shared_ptr<const Material>(std::move(m));
  }
};

std::variant<std::unique_ptr<TlsContext>, std::string> TlsContext::Create(
    const TlsServerConfig& config, TlsStats* stats) {
  auto loaded = Material::Load(config);
  if (auto* err = std::get_if<std::string>(&loaded)) {
    return *err;
  }
  std::unique_ptr<TlsContext> ctx(new TlsContext());
  if (stats != nullptr) {
    ctx->stats_ = stats;
  }
  ctx->current_ = std::move(std::get<std::shared_ptr<const Material>>(loaded));
  ctx->stats_->not_after = ctx->current_->not_after;
  ctx->ctx_ = OpenSsl().SSL_CTX_new(OpenSsl().TLS_server_method());
  if (ctx->ctx_ == nullptr) {
    return "tls_server_config: cannot create a TLS context: " + OpenSslError();
  }
  SSL_CTX* c = ctx->ctx_;
  platform::SetMinProtoVersion(c, TLS1_2_VERSION);
  OpenSsl().SSL_CTX_set_options(c, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                       SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  platform::SetSessionCacheMode(c, SSL_SESS_CACHE_OFF);
  OpenSsl().SSL_CTX_set_num_tickets(c, 0);
  // Non-blocking writes: a write may end part way, and its retry may come
  // from a buffer that has grown (an answer queued behind a 100 Continue).
  OpenSsl().SSL_CTX_ctrl(c, SSL_CTRL_MODE,
                         SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER,
                         nullptr);
  static const unsigned char kSessionContext[] = "vitals";
  OpenSsl().SSL_CTX_set_session_id_context(c, kSessionContext, sizeof kSessionContext - 1);
  OpenSsl().SSL_CTX_set_client_hello_cb(c, &TlsContext::OnClientHello, ctx.get());
  OpenSsl().SSL_CTX_set_cert_cb(c, &TlsContext::OnCertificate, ctx.get());
  return ctx;
}

TlsContext::~TlsContext() {
  if (ctx_ != nullptr) {
    OpenSsl().SSL_CTX_free(ctx_);
  }
}

SSL* TlsContext::NewSession(int fd) {
  SSL* ssl = OpenSsl().SSL_new(ctx_);
  if (ssl != nullptr && OpenSsl().SSL_set_fd(ssl, fd) != 1) {
    OpenSsl().SSL_free(ssl);
    return nullptr;
  }
  return ssl;
}

TlsServerConfig TlsContext::config() const {
  std::lock_guard lock(mutex_);
  return current_->config;
}

std::string TlsContext::Update(const TlsServerConfig& config) {
  auto loaded = Material::Load(config);
  if (auto* err = std::get_if<std::string>(&loaded)) {
    return *err;
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(std::get<std::shared_ptr<const Material>>(loaded));
  stats_->not_after = current_->not_after;
  failed_cert_ = {};
  failed_key_ = {};
  return {};
}

std::shared_ptr<const TlsContext::Material> TlsContext::Current() {
  std::lock_guard lock(mutex_);
  const TlsServerConfig config = current_->config;  // a copy: current_ may be replaced below
  struct stat cert = Stamp(config.cert_file);
  struct stat key = Stamp(config.key_file);
  if ((SameStamp(cert, current_->cert_stamp) && SameStamp(key, current_->key_stamp)) ||
      (SameStamp(cert, failed_cert_) && SameStamp(key, failed_key_))) {
    return current_;
  }
  auto loaded = Material::Load(config);
  if (auto* err = std::get_if<std::string>(&loaded)) {
    failed_cert_ = cert;
    failed_key_ = key;
    ++stats_->reload_errors;
    log::Error("TLS certificate changed on disk but does not load; still serving the previous one",
               {{"err", *err}});
    return current_;
  }
  current_ = std::move(std::get<std::shared_ptr<const Material>>(loaded));
  ++stats_->reloads;
  stats_->not_after = current_->not_after;
  log::Info("TLS certificate reloaded", {{"cert_file", config.cert_file.string()},
                                         {"not_after", std::to_string(current_->not_after)}});
  return current_;
}

int TlsContext::OnClientHello(SSL* ssl, int* alert, void* self) {
  auto m = static_cast<TlsContext*>(self)->Current();
  const TlsServerConfig& c = m->config;
  if (platform::SetMinProtoVersion(
          ssl, c.min_version == TlsVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION) != 1) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  switch (c.client_auth) {
    case ClientAuth::kNoClientCert:
      OpenSsl().SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::kRequestClientCert:
      OpenSsl().SSL_set_verify(ssl, SSL_VERIFY_PEER, AcceptAnyCertificate);
      break;
    case ClientAuth::kRequireAnyClientCert:
      OpenSsl().SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                               AcceptAnyCertificate);
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      OpenSsl().SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      OpenSsl().SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  if (m->ca != nullptr) {
    platform::Set1VerifyCertStore(ssl, m->ca);
    OpenSsl().SSL_set_client_CA_list(ssl, OpenSsl().SSL_dup_CA_list(m->ca_names));
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

int TlsContext::OnCertificate(SSL* ssl, void* self) {
  auto* ctx = static_cast<TlsContext*>(self);
  std::shared_ptr<const Material> m;
  {
    std::lock_guard lock(ctx->mutex_);
    m = ctx->current_;
  }
  return OpenSsl().SSL_use_cert_and_key(ssl, m->cert, m->key, m->chain, 1) == 1 ? 1 : 0;
}

}  // namespace vitals::http
