# What `cmake --install` puts where, besides the programs (client/, daemon/),
# the man pages (man/) and the systemd units (systemd/). GNUInstallDirs, so
# CMAKE_INSTALL_PREFIX and DESTDIR apply as usual.

install(FILES "${PROJECT_SOURCE_DIR}/completion/kas.bash"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" RENAME kas)

# The kernel integration, complete: `apply` finds its series beside itself,
# and a kernel's Makefile includes kas-module.mk from here.
set(KAS_KBUILD_DIR "${CMAKE_INSTALL_DATADIR}/kasd/kbuild")
install(PROGRAMS "${PROJECT_SOURCE_DIR}/kbuild/apply" DESTINATION "${KAS_KBUILD_DIR}")
install(FILES "${PROJECT_SOURCE_DIR}/kbuild/kas-module.mk" "${PROJECT_SOURCE_DIR}/kbuild/README.md"
        DESTINATION "${KAS_KBUILD_DIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/kbuild/patches" DESTINATION "${KAS_KBUILD_DIR}"
        FILES_MATCHING PATTERN "*.patch" PATTERN "README.md")

# The JSON schemas are what --json promises: kept with their description.
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/doc/json-output.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/doc/schema" DESTINATION "${CMAKE_INSTALL_DOCDIR}"
        FILES_MATCHING PATTERN "*.json")
