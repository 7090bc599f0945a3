# Labels and the fixture of the GoogleTest cases, read by ctest after the
# lists gtest_discover_tests writes (TEST_INCLUDE_FILES, tests/CMakeLists.txt),
# since the cases are known only once their binary is built. Each case is
# labelled with its binary (core, proto, cli, daemon, service) and
#   unit  a core or wire case that runs in its process and takes about a
#         second: the inner loop, ctest -L unit
#   slow  a case that takes several times longer: the whole-tree oracles
#         (nm, addr2line, llvm-symbolizer over every symbol), kas killed
#         mid-write, the tracers run on kas's output
# kas command (cli), kasd (daemon) and seam (service) cases are neither: each starts kas
# and kasd, under the sanitizers several seconds a case.
# Every case reads the fixture kernels the build made: the check that none
# was written to runs after them all (fixture_kernels_unchanged,
# tests/fixtures/CMakeLists.txt).
set(_kas_slow_cases
  # core
  "^Layouts/SymbolIndexTest\\."
  "^FtraceSites\\."
  "^ElfSymtab\\.MatchesNmOnExecutableAndObjects$"
  "^ElfSymtab\\.MatchesTheTargetNmOnAarch64$"
  "^Locator\\.AgreesWithLlvmSymbolizerFunctionStartLine$"
  "^KprobeBlacklist\\."
  "^CompressedModule\\.LimitStopsADecompressionBomb$"
  "^KernelSnapshotTest\\.CensusCountsWhatNmLists$"
  # cli
  "^OutputKill\\."
  "^ProbeTools\\."
  "^ProbeTracefs\\."
  "^TruncatedInput\\."
  "^QueryCommands\\.DecodeAnnotatesEveryFrameOfARecordedOops$"
  "^ProbeCommand\\.EveryDuplicatedVmlinuxFunctionGetsALocationThatLandsOnIt$"
  "^UsageErrors\\.UnknownMissingOrInvalidOptionOfEveryCommand$"
  "^InvalidValue\\.ASeparatorTheTracersWouldMisreadIsRefusedWithTheReason$"
  "^CommandTable\\.EveryCommandsHelpComesFromItsDescription$"
)
list(JOIN _kas_slow_cases "|" _kas_slow)
foreach(_kas_binary core proto cli daemon service)
  foreach(_kas_case IN LISTS kas_${_kas_binary}_tests_TESTS)
    set(_kas_labels ${_kas_binary})
    if(_kas_case MATCHES "${_kas_slow}")
      list(APPEND _kas_labels slow)
      # started before the cases of a second (tests/CMakeLists.txt, COST)
      set_tests_properties("${_kas_case}" PROPERTIES COST 20)
    elseif(_kas_binary STREQUAL "core" OR _kas_binary STREQUAL "proto")
      list(APPEND _kas_labels unit)
    endif()
    set_tests_properties("${_kas_case}" PROPERTIES LABELS "${_kas_labels}" FIXTURES_REQUIRED kas_fixture_kernels)
  endforeach()
endforeach()
