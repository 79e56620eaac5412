#!/usr/bin/env bash
# The README's two commands:
#   bash packaging/quickstart.sh run    install what is missing, build, start vitals
#   bash packaging/quickstart.sh test   install what is missing (test peers too), build, test
# and, for packaging/Dockerfile's build stage:
#   bash packaging/quickstart.sh deps [PACKAGE...]   install the build dependencies (and PACKAGEs)
# Debian bookworm, as root (apt-get) or as a user who already has the packages.
set -euo pipefail
cd "$(dirname "$0")/.."

build_deps=(cmake ninja-build g++ pkg-config git
            prometheus-cpp-dev nlohmann-json3-dev libdeflate-dev zlib1g-dev catch2
            libre2-dev libcurl4-openssl-dev libpq-dev libc-ares-dev libssl-dev libcrypt-dev
            libmariadb-dev)
# Real peers the tests run against, from Debian packages.
test_deps=(python3 curl prometheus prometheus-node-exporter prometheus-process-exporter
           postgresql redis-server openssl  # probes: real servers, test certificates
           mariadb-server python3-grpcio iproute2  # mysql, grpc; icmp's network namespaces
           dpkg-dev file   # e2e.deb: CPack's DEB generator runs dpkg-shlibdeps and file
           bindfs          # e2e.filesystem_mounts: a FUSE filesystem whose daemon it stops
           strace          # e2e.sampler_reads: what the health sampler reads, traced
           chromium chromium-driver python3-selenium  # e2e.status_page: a real browser
           clang libclang-rt-14-dev  # the fuzz workflow: clang++ and libFuzzer
           podman runc mmdebstrap)  # e2e.container: builds packaging/Dockerfile, runs the image

install_missing() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  # Packaged daemons must not start on their own (no systemd in containers,
  # and the tests start their own instances on 127.0.0.1).
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  rm -f /usr/sbin/policy-rc.d
}

case "${1:-}" in
  run)
    install_missing "${build_deps[@]}"
    cmake --preset release >/dev/null
    cmake --build --preset release
    shift
    echo "vitals: metrics at http://localhost:9810/metrics, landing page at http://localhost:9810/"
    exec ./build/release/agent/vitals "$@"
    ;;
  deps)
    shift
    install_missing "${build_deps[@]}" "$@"
    ;;
  test)
    install_missing "${build_deps[@]}" "${test_deps[@]}"
    # The whole suite, then the reliability runs (tests/fuzz/README.md has
    # the budget): unit + fast e2e under ASan+UBSan, the threaded code under
    # TSan, each fuzz target for VITALS_FUZZ_SECONDS.
    for workflow in ci asan tsan fuzz; do
      echo "== cmake --workflow --preset $workflow"
      start=$SECONDS
      cmake --workflow --preset "$workflow"
      echo "== $workflow: $((SECONDS - start)) s"
    done
    ;;
  *)
    echo "usage: $0 run|test|deps [PACKAGE...]" >&2
    exit 2
    ;;
esac
