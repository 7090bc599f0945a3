# Compiles through ccache when it is installed (.ci/setup --tests installs
# it): the test command configures four builds, and a rerun, or a build of
# the same sources in another directory (CCACHE_BASEDIR), then recompiles
# only what changed. KAS_CCACHE=OFF, or a launcher of your own
# (CMAKE_CXX_COMPILER_LAUNCHER), does without.
option(KAS_CCACHE "Compile through ccache when it is installed" ON)
find_program(KAS_CCACHE_PROGRAM ccache)
mark_as_advanced(KAS_CCACHE_PROGRAM)
if(KAS_CCACHE AND KAS_CCACHE_PROGRAM)
  foreach(_lang C CXX)
    if(NOT CMAKE_${_lang}_COMPILER_LAUNCHER)
      set(CMAKE_${_lang}_COMPILER_LAUNCHER "${KAS_CCACHE_PROGRAM}")
    endif()
  endforeach()
endif()
