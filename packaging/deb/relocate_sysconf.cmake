# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS): a build configured with
# the default CMAKE_INSTALL_SYSCONFDIR installs the config to <prefix>/etc,
# which for a package under /usr would be /usr/etc. Debian keeps it in /etc:
# move it there in the staging tree before the package is made. Builds made
# with the package preset (CMAKE_INSTALL_SYSCONFDIR=/etc) have nothing to move.
if(IS_DIRECTORY "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/etc")
  file(COPY "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/etc/" DESTINATION "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/etc")
  file(REMOVE_RECURSE "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/etc")
endif()

# The systemd unit: installed to <prefix>/lib/systemd/system (for a plain
# `cmake --install`, /usr/local/lib/systemd/system is where systemd looks for
# local units), which in the package is /usr/lib/systemd/system. Debian 12
# (debhelper's dh_installsystemd, deb-systemd-helper) keeps packaged units in
# /lib/systemd/system; /usr/lib is for trixie and later. Ship it there.
if(IS_DIRECTORY "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/lib/systemd")
  file(COPY "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/lib/systemd" DESTINATION "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/lib")
  file(REMOVE_RECURSE "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/lib/systemd")
endif()
