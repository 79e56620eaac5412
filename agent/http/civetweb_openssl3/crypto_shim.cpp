// libvitals-civetweb-crypto.so, soname "libcrypto.so": empty on purpose. It
// only depends on libcrypto.so.3, so that CivetWeb's dlopen("libcrypto.so")
// finds the real library through it even where the unversioned development
// symlink (libssl-dev) is not installed. See ssl_shim.cpp.

extern "C" {
__attribute__((visibility("default"))) int vitals_civetweb_crypto_shim = 1;
}
