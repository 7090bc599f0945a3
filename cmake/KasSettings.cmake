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
