# Files installed beside the binary: the boot-time restore unit.
set(NFSH_SBIN ${CMAKE_INSTALL_FULL_SBINDIR})
configure_file(${CMAKE_SOURCE_DIR}/systemd/nfsh-restore.service
  ${CMAKE_BINARY_DIR}/systemd/nfsh-restore.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/systemd/nfsh-restore.service
  DESTINATION lib/systemd/system)

# Shell completions (they call `nfsh --complete`; no option lists inside).
# bash-completion's completionsdir when pkg-config knows it and it lies under
# our prefix, else the conventional place under the prefix.
set(NFSH_BASH_COMPDIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
pkg_check_modules(BASHCOMP QUIET bash-completion)
if(BASHCOMP_FOUND)
  pkg_get_variable(NFSH_BASHCOMP_PC bash-completion completionsdir)
  if(NFSH_BASHCOMP_PC MATCHES "^${CMAKE_INSTALL_PREFIX}/")
    set(NFSH_BASH_COMPDIR ${NFSH_BASHCOMP_PC})
  endif()
endif()
install(FILES ${CMAKE_SOURCE_DIR}/completions/nfsh.bash DESTINATION ${NFSH_BASH_COMPDIR}
  RENAME nfsh)
install(FILES ${CMAKE_SOURCE_DIR}/completions/_nfsh
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
install(FILES ${CMAKE_SOURCE_DIR}/completions/nfsh.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
