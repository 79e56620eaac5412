# Debian package of vitals, built by CPack (included by the top-level
# CMakeLists.txt when vitals is the top-level project).
#
#   cmake --workflow --preset package      # build/package/vitals_<version>_<arch>.deb
#
# The package preset configures with CMAKE_INSTALL_PREFIX=/usr and
# CMAKE_INSTALL_SYSCONFDIR=/etc, so the default config lands in
# /etc/vitals/agent.json (GNUInstallDirs would otherwise say /usr/etc).
#
# Contents: /usr/bin/vitals; /etc/vitals/agent.json (a conffile, from
# config/examples/agent.json); the hardened systemd unit packaging/vitals.service
# in /lib/systemd/system (Debian 12's place for packaged units, moved there by
# packaging/deb/relocate_sysconf.cmake); the Grafana dashboards and
# provisioning files and the Prometheus rules in /usr/share/vitals.
#
# User: maintainer scripts in packaging/deb/ create the system user and group
# `vitals` on install (the config is root:vitals 0640, it may hold secrets)
# and remove them on purge. The unit names that user (User=/Group=vitals)
# and keeps DynamicUser=yes for its sandboxing: systemd uses a static user
# of that name when one exists (systemd.exec(5), DynamicUser=), so the
# service runs as the package's `vitals` and can read its config; where the
# unit is used without the package, systemd allocates a dynamic `vitals`.

# Dashboards and rules, for Grafana's file provisioning and Prometheus' rule_files.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/dashboards/grafana/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/vitals/grafana
        FILES_MATCHING PATTERN "*.json" PATTERN "provisioning" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/dashboards/grafana/provisioning/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/vitals/grafana/provisioning)
install(FILES ${PROJECT_SOURCE_DIR}/dashboards/prometheus/alerts.yml
              ${PROJECT_SOURCE_DIR}/dashboards/prometheus/recording.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/vitals/prometheus)

if(NOT CMAKE_INSTALL_FULL_SYSCONFDIR STREQUAL "/etc")
  message(STATUS "vitals: config installs to ${CMAKE_INSTALL_FULL_SYSCONFDIR}/vitals "
                 "(the package preset sets CMAKE_INSTALL_SYSCONFDIR=/etc)")
endif()

set(CPACK_PACKAGE_NAME vitals)
set(CPACK_PACKAGE_VENDOR "vitals")
set(CPACK_PACKAGE_CONTACT "vitals maintainers <vitals@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "One agent for host metrics (node_exporter names), process-group metrics\n(process-exporter names), dependency probes and a health model with\nself-healing actions, exported to Prometheus.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/packaging/deb/relocate_sysconf.cmake)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # vitals_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # dpkg-shlibdeps: libprometheus-cpp-core, libre2, ...
# postinst uses useradd (passwd, required) and, when systemd runs, deb-systemd-helper.
# The probes dlopen libcurl, libpq, c-ares and libmariadb, and TLS (server and probes)
# OpenSSL (agent/platform/dynlib.h, openssl.h), which dpkg-shlibdeps cannot
# see in the binary: name their runtime packages here.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "passwd, init-system-helpers (>= 1.52), libcurl4, libpq5, libc-ares2, libmariadb3, libssl3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/deb/postinst
    ${PROJECT_SOURCE_DIR}/packaging/deb/prerm
    ${PROJECT_SOURCE_DIR}/packaging/deb/postrm)

include(CPack)
