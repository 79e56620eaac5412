// libvitals-civetweb-ssl.so, soname "libssl.so": what Debian's libcivetweb1
// 1.15 gets from dlopen("libssl.so") once vitals has loaded this file (see
// LoadCivetwebOpenSsl3Shims in agent/http/tls.h). dlsym() on it searches this
// object, then its dependency libssl.so.3, so every OpenSSL function resolves
// to the real one, plus the single symbol OpenSSL 3 no longer exports.

#include <openssl/ssl.h>

// OpenSSL 3's ssl.h maps the old name onto the new one with a macro; without
// this the definition below would silently define SSL_get1_peer_certificate.
#undef SSL_get_peer_certificate

extern "C" {

// OpenSSL 1.1 semantics, which CivetWeb expects (it X509_free()s the result):
// a new reference to the peer's certificate, or null. OpenSSL 3 renamed the
// function SSL_get1_peer_certificate and kept the old name only as a macro.
__attribute__((visibility("default"))) X509* SSL_get_peer_certificate(const SSL* ssl) {
  return SSL_get1_peer_certificate(ssl);
}

}  // extern "C"
