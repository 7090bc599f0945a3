# kas_settings: language level and sanitizer flags for kasd's own targets.
# Linked PRIVATE by our targets only, so generated or third-party code never
# inherits them (the ccache StandardSettings pattern).
set(CMAKE_CXX_STANDARD 23)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)

add_library(kas_settings INTERFACE)
target_compile_definitions(kas_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)

set(_kas_sanitizers "")
if(KAS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KAS_FUZZ needs clang (libFuzzer): CC=clang CXX=clang++ cmake ... -DKAS_FUZZ=ON")
  endif()
  # Every library gets libFuzzer's coverage; only the fuzz targets link its
  # main() (tests/fuzz).
  target_compile_options(kas_settings INTERFACE -fsanitize=fuzzer-no-link)
  set(KAS_ASAN ON)
  set(KAS_UBSAN ON)
  if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
    message(FATAL_ERROR "KAS_FUZZ needs clang 16 or later for std::expected (Debian 12: clang-16, libclang-rt-16-dev)")
  endif()
  if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 19)
    # libstdc++ 12 offers std::expected only when __cpp_concepts says
    # C++20's conditionally trivial special members (P0848), which clang
    # implements from version 16 but announces from version 19 on.
    target_compile_options(kas_settings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-U__cpp_concepts -D__cpp_concepts=202002L>)
  endif()
endif()
if(KAS_ASAN)
  list(APPEND _kas_sanitizers address)
endif()
if(KAS_UBSAN)
  list(APPEND _kas_sanitizers undefined)
endif()
if(KAS_TSAN)
  if(KAS_ASAN)
    message(FATAL_ERROR "KAS_TSAN cannot be combined with KAS_ASAN")
  endif()
  list(APPEND _kas_sanitizers thread)
  # GCC 12 warns (-Wtsan) that TSan does not model atomic_thread_fence, which
  # Boost.Asio 1.74's std_fenced_block uses; the handlers it hands between
  # threads also pass the scheduler's mutex, which TSan does see.
  target_compile_options(kas_settings INTERFACE -Wno-tsan)
endif()
if(_kas_sanitizers)
  list(JOIN _kas_sanitizers "," _kas_sanitize_list)
  # Sanitizers must also reach the link of every executable, so they are set
  # globally for the link step; compile flags stay on kas_settings.
  target_compile_options(kas_settings INTERFACE
    -fsanitize=${_kas_sanitize_list} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(kas_settings INTERFACE -fsanitize=${_kas_sanitize_list})
endif()
if(KAS_ASAN AND KAS_UBSAN AND NOT KAS_FUZZ AND NOT KAS_UBSAN_POINTER_CHECKS)
  # UBSan's null and alignment checks are five sixths of the check data that
  # every sanitized program's .data holds (kas: 23.7 MB of it, 4.2 MB
  # without), and LeakSanitizer reads all of .data at each exit: kas
  # --version took 0.11 s with them and 0.078 s without, and the test suite
  # starts kas or kasd some thousand times. ASan reports a null dereference
  # itself (a SEGV with its stack); the fuzz build, which feeds the parsers
  # what the tests never make, keeps both checks.
  target_compile_options(kas_settings INTERFACE -fno-sanitize=null,alignment)
endif()
if(KAS_ASAN AND NOT KAS_FUZZ)
  # The sanitized test build links its programs at fixed addresses: at -O0,
  # UBSan's check data make kas's .data 23 MB of pointers, 845,000 relative
  # relocations that a PIE applies at every start, and every test case starts
  # its test binary and most start kas or kasd, several times (kas --version:
  # 0.23 s as a PIE, 0.12 s without). The package and the other builds stay PIE.
  target_link_options(kas_settings INTERFACE -no-pie)
endif()
