# kas_check_includes(TARGET FOLDER ALLOWED...): before TARGET compiles, every
# quoted include in FOLDER's sources and headers must be FOLDER's own or
# start with one of ALLOWED (cmake/check-includes.sh): the layering above
# the core (service -> proto -> daemon, client) is the build's to enforce.
function(kas_check_includes target folder)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/${folder}/*.cpp" "${PROJECT_SOURCE_DIR}/${folder}/*.hpp")
  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/${folder}.includes")
  add_custom_command(OUTPUT "${stamp}"
    COMMAND "${PROJECT_SOURCE_DIR}/cmake/check-includes.sh" "${stamp}" ${folder} ${ARGN} -- ${files}
    DEPENDS ${files} "${PROJECT_SOURCE_DIR}/cmake/check-includes.sh"
    COMMENT "Checking ${folder}/ includes only ${ARGN}"
    VERBATIM)
  add_custom_target(${target}_includes DEPENDS "${stamp}")
  add_dependencies(${target} ${target}_includes)
  # For tests/layering: the lists the build enforces, not copies of them.
  set_property(GLOBAL PROPERTY KAS_ALLOWED_INCLUDES_${folder} ${ARGN})
endfunction()
