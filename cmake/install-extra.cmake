# Files installed beside the binary: the boot-time restore unit.
set(NFSH_SBIN ${CMAKE_INSTALL_FULL_SBINDIR})
configure_file(${CMAKE_SOURCE_DIR}/systemd/nfsh-restore.service
  ${CMAKE_BINARY_DIR}/systemd/nfsh-restore.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/systemd/nfsh-restore.service
  DESTINATION lib/systemd/system)
