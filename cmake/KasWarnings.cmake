# kas_warnings: the warning set for kasd's own code; -Werror only when asked
# (CI and development), never for users building a release.
add_library(kas_warnings INTERFACE)
target_compile_options(kas_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wpedantic
  -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
  $<$<BOOL:${KAS_WERROR}>:-Werror>)
