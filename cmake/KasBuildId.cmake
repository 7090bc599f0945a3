# kas_build_id: this_build_id() for kas and kasd, computed from the libraries
# they are linked from after those are built (cmake/build-id.cmake). Linked
# by the executables only: the libraries it hashes cannot depend on it.
set(_kas_hashed kas_client kasd_lib kas_proto kas_proto_generated kas_service
    kas_util kas_census kas_elf kas_dwarf kas_alias kas_output kas_index kas_query kas_engine)
set(_kas_hashed_files "")
foreach(t IN LISTS _kas_hashed)
  list(APPEND _kas_hashed_files "$<TARGET_FILE:${t}>")
endforeach()
# One command-line argument: '|' between the files (no ';', which would
# split it).
string(JOIN "|" _kas_hashed_arg ${_kas_hashed_files})
set(_kas_build_id_cpp "${CMAKE_CURRENT_BINARY_DIR}/build_id.cpp")
add_custom_command(OUTPUT "${_kas_build_id_cpp}"
  COMMAND "${CMAKE_COMMAND}" -DVERSION=${PROJECT_VERSION} -DOUTPUT=${_kas_build_id_cpp}
          "-DFILES=${_kas_hashed_arg}" -P "${PROJECT_SOURCE_DIR}/cmake/build-id.cmake"
  DEPENDS ${_kas_hashed} ${_kas_hashed_files} "${PROJECT_SOURCE_DIR}/cmake/build-id.cmake"
  COMMENT "Computing the build id of kas and kasd"
  VERBATIM)
add_library(kas_build_id STATIC "${_kas_build_id_cpp}")
target_include_directories(kas_build_id PUBLIC "${PROJECT_SOURCE_DIR}")
target_link_libraries(kas_build_id PRIVATE kas_settings kas_warnings)
