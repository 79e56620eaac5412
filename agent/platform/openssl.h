#pragma once
// OpenSSL 3 (libssl.so.3 and its libcrypto.so.3), loaded the first time
// something needs TLS: the HTTPS server (agent/http/tls.cpp) or a TLS probe
// (net.cpp); or basic auth, for the digest that keys its cache. Linked, the two cost ~1.7 MB of RSS in every agent, most of
// which serve plain HTTP and probe nothing over TLS (README, Performance).
//
// Calls go through the table: OpenSsl().SSL_new(ctx). dlsym() on libssl's
// handle also finds libcrypto's functions (a loaded library's dependencies
// are searched too), so one table holds both. OpenSSL's function-like macros
// (sk_X509_push, SSL_CTX_set_min_proto_version, ...) expand to calls of the
// functions beneath (OPENSSL_sk_push, SSL_CTX_ctrl); the helpers at the end
// spell those out. Nothing links OpenSSL, so a call that bypasses the table
// fails the link.
//
// Thread contract: as dynlib.h; OpenSSL's own objects follow OpenSSL's rules.

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>

#include "agent/platform/dynlib.h"

#define VITALS_OPENSSL_FUNCTIONS(X)     \
  X(ASN1_TIME_to_tm)                    \
  X(BIO_free)                           \
  X(BIO_new_file)                       \
  X(ERR_clear_error)                    \
  X(ERR_error_string_n)                 \
  X(ERR_get_error)                      \
  X(ERR_peek_error)                     \
  X(EVP_Digest)                         \
  X(EVP_PKEY_free)                      \
  X(EVP_sha256)                         \
  X(OPENSSL_sk_new_null)                \
  X(OPENSSL_sk_num)                     \
  X(OPENSSL_sk_pop_free)                \
  X(OPENSSL_sk_push)                    \
  X(OPENSSL_sk_value)                   \
  X(PEM_read_bio_PrivateKey)            \
  X(PEM_read_bio_X509)                  \
  X(PEM_read_bio_X509_AUX)              \
  X(SSL_CTX_ctrl)                       \
  X(SSL_CTX_free)                       \
  X(SSL_CTX_load_verify_locations)      \
  X(SSL_CTX_new)                        \
  X(SSL_CTX_set_cert_cb)                \
  X(SSL_CTX_set_client_hello_cb)        \
  X(SSL_CTX_set_default_verify_paths)   \
  X(SSL_CTX_set_num_tickets)            \
  X(SSL_CTX_set_options)                \
  X(SSL_CTX_set_session_id_context)     \
  X(SSL_CTX_use_PrivateKey_file)        \
  X(SSL_CTX_use_certificate_chain_file) \
  X(SSL_accept)                         \
  X(SSL_connect)                        \
  X(SSL_ctrl)                           \
  X(SSL_dup_CA_list)                    \
  X(SSL_free)                           \
  X(SSL_get0_param)                     \
  X(SSL_get_error)                      \
  X(SSL_get_peer_cert_chain)            \
  X(SSL_get_verify_result)              \
  X(SSL_load_client_CA_file)            \
  X(SSL_new)                            \
  X(SSL_read_ex)                        \
  X(SSL_set1_host)                      \
  X(SSL_set_client_CA_list)             \
  X(SSL_set_fd)                         \
  X(SSL_set_verify)                     \
  X(SSL_shutdown)                       \
  X(SSL_use_cert_and_key)               \
  X(SSL_write_ex)                       \
  X(TLS_client_method)                  \
  X(TLS_server_method)                  \
  X(X509_NAME_free)                     \
  X(X509_NAME_oneline)                  \
  X(X509_STORE_free)                    \
  X(X509_STORE_load_file)               \
  X(X509_STORE_new)                     \
  X(X509_VERIFY_PARAM_set1_ip_asc)      \
  X(X509_check_private_key)             \
  X(X509_free)                          \
  X(X509_get0_notAfter)                 \
  X(X509_get_subject_name)              \
  X(X509_verify_cert_error_string)

namespace vitals::platform {

VITALS_DYNLIB_API_STRUCT(OpenSslApi, VITALS_OPENSSL_FUNCTIONS)

// Loads libssl.so.3 on first use; throws LibraryError ("cannot load
// libssl.so.3: ...") when it cannot.
const OpenSslApi& OpenSsl();

// The same for callers that report errors as text: empty when OpenSSL is
// loaded (loading it now), else why it cannot be.
std::string LoadOpenSsl();

// What OpenSSL's macros of the same purpose expand to.
inline long SetMinProtoVersion(SSL_CTX* ctx, int version) {
  return OpenSsl().SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, version, nullptr);
}
inline long SetMinProtoVersion(SSL* ssl, int version) {
  return OpenSsl().SSL_ctrl(ssl, SSL_CTRL_SET_MIN_PROTO_VERSION, version, nullptr);
}
inline long SetSessionCacheMode(SSL_CTX* ctx, long mode) {
  return OpenSsl().SSL_CTX_ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_MODE, mode, nullptr);
}
inline long SetTlsExtHostName(SSL* ssl, const char* name) {
  return OpenSsl().SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                            const_cast<char*>(name));
}
inline long Set1VerifyCertStore(SSL* ssl, X509_STORE* store) {
  return OpenSsl().SSL_ctrl(ssl, SSL_CTRL_SET_VERIFY_CERT_STORE, 1, store);
}

// STACK_OF(X509) and STACK_OF(X509_NAME) are OPENSSL_STACKs under a typed
// name; the sk_X509_* macros cast the same way.
template <class Stack>
OPENSSL_STACK* UntypedStack(Stack* stack) {
  return reinterpret_cast<OPENSSL_STACK*>(stack);
}
inline STACK_OF(X509)* NewX509Stack() {
  return reinterpret_cast<STACK_OF(X509)*>(OpenSsl().OPENSSL_sk_new_null());
}
inline int PushX509(STACK_OF(X509)* stack, X509* cert) {
  return OpenSsl().OPENSSL_sk_push(UntypedStack(stack), cert);
}
template <class Stack>
int StackSize(Stack* stack) {
  return OpenSsl().OPENSSL_sk_num(UntypedStack(stack));
}
inline X509* X509At(STACK_OF(X509)* stack, int i) {
  return static_cast<X509*>(OpenSsl().OPENSSL_sk_value(UntypedStack(stack), i));
}
inline void FreeX509Stack(STACK_OF(X509)* stack) {
  OpenSsl().OPENSSL_sk_pop_free(UntypedStack(stack),
                                reinterpret_cast<OPENSSL_sk_freefunc>(OpenSsl().X509_free));
}
inline void FreeX509NameStack(STACK_OF(X509_NAME)* stack) {
  OpenSsl().OPENSSL_sk_pop_free(UntypedStack(stack),
                                reinterpret_cast<OPENSSL_sk_freefunc>(OpenSsl().X509_NAME_free));
}

}  // namespace vitals::platform
