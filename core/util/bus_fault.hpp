// Surviving a mapped file that shrinks under its reader.
//
// kas reads objects, DWARF and text inputs through mappings (its own and
// libelf's). When another process truncates such a file (`cp` over it, a
// parallel make relinking), touching a page past the new end raises SIGBUS,
// which would kill a shared daemon and every request in it. The guard
// answers such a fault by mapping a page of zeros over the missing one, so
// the reader goes on with garbage instead of dying; the file's identity,
// checked before any result is used (see FileIdentity), then turns the
// garbage into a clear "changed while being read" error.
#pragma once

#include <cstdint>

namespace kas {

// Installs the SIGBUS handler once per process (later calls do nothing).
// Faults that are not a mapping past the end of its file (BUS_ADRERR) are
// left to the previous handler, i.e. still kill the process.
void install_bus_fault_guard();

// Faults the guard has answered since the process started.
[[nodiscard]] uint64_t bus_faults_survived();

}  // namespace kas
