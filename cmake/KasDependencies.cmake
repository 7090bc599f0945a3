# Third-party libraries, each behind one interface target so a consumer can
# take the shared or the static variant:
#   kas_elfutils  libdw + libelf (and their compressors when static)
#   kas_protobuf  protobuf's lite runtime
#   kas_compress  xz, gzip and zstd decoders (compressed kernel modules)
# A target with the property KAS_STATIC set gets the static archives. kas
# uses that: kbuild starts it once per module, and a static kas starts in
# about 2 ms instead of 5 (no dynamic loading of libstdc++, protobuf, libdw).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBDW REQUIRED IMPORTED_TARGET libdw)
pkg_check_modules(LIBELF REQUIRED IMPORTED_TARGET libelf)
pkg_check_modules(LIBLZMA REQUIRED IMPORTED_TARGET liblzma)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
pkg_check_modules(LIBZSTD REQUIRED IMPORTED_TARGET libzstd)
find_package(Protobuf REQUIRED)
find_package(Threads REQUIRED)

set(_kas_static_names dw elf z lzma bz2 zstd protobuf-lite)
set(KAS_STATIC_AVAILABLE ON)
foreach(_name IN LISTS _kas_static_names)
  string(MAKE_C_IDENTIFIER "${_name}" _id)
  find_library(KAS_STATIC_LIB_${_id} NAMES lib${_name}.a)
  if(NOT KAS_STATIC_LIB_${_id})
    set(KAS_STATIC_AVAILABLE OFF)
  endif()
endforeach()

set(_kas_is_static "$<BOOL:$<TARGET_PROPERTY:KAS_STATIC>>")
add_library(kas_elfutils INTERFACE)
target_link_libraries(kas_elfutils INTERFACE
  "$<IF:${_kas_is_static},${KAS_STATIC_LIB_dw};${KAS_STATIC_LIB_elf};${KAS_STATIC_LIB_z};${KAS_STATIC_LIB_lzma};${KAS_STATIC_LIB_bz2},PkgConfig::LIBDW;PkgConfig::LIBELF>"
  Threads::Threads)
target_include_directories(kas_elfutils INTERFACE ${LIBDW_INCLUDE_DIRS} ${LIBELF_INCLUDE_DIRS})

add_library(kas_compress INTERFACE)
target_link_libraries(kas_compress INTERFACE
  "$<IF:${_kas_is_static},${KAS_STATIC_LIB_lzma};${KAS_STATIC_LIB_z};${KAS_STATIC_LIB_zstd},PkgConfig::LIBLZMA;PkgConfig::ZLIB;PkgConfig::LIBZSTD>")
target_include_directories(kas_compress INTERFACE ${LIBLZMA_INCLUDE_DIRS} ${ZLIB_INCLUDE_DIRS} ${LIBZSTD_INCLUDE_DIRS})

add_library(kas_protobuf INTERFACE)
target_link_libraries(kas_protobuf INTERFACE
  "$<IF:${_kas_is_static},${KAS_STATIC_LIB_protobuf_lite},protobuf::libprotobuf-lite>")
target_include_directories(kas_protobuf INTERFACE ${Protobuf_INCLUDE_DIRS})

# Static executables cannot carry the sanitizers' runtimes.
if(KAS_ASAN OR KAS_UBSAN OR KAS_TSAN OR NOT KAS_STATIC_AVAILABLE)
  set(_kas_static_default OFF)
else()
  set(_kas_static_default ON)
endif()
option(KAS_STATIC_CLIENT "Link kas statically (faster start, once per module in kbuild)" ${_kas_static_default})
if(KAS_STATIC_CLIENT AND NOT KAS_STATIC_AVAILABLE)
  message(FATAL_ERROR "KAS_STATIC_CLIENT needs static libdw, libelf, libz, liblzma, libbz2, libzstd and libprotobuf-lite")
endif()
