// Which symbol names the kernel's kallsyms never shows, whatever the
// architecture: neither counted in the census nor aliased.
//
// Linux 6.1 decides it in three places. scripts/mksysmap drops `$...` and
// `.L...` lines from vmlinux's listing (and `__crc_`, `__kstrtab_`, `L0`,
// which VmlinuxListing leaves out of a listing it makes itself);
// scripts/kallsyms.c's is_ignored_symbol() then drops, among others,
// arm64's non-VHE KVM copies of mapping symbols (`__kvm_nvhe_$x`, 82 of
// them in Debian's arm64 System.map), the EFI stub namespace and linker
// thunks, which mksysmap lets through. Linux 6.12 moved that list into
// mksysmap and added arm64's position-independent namespace (`__pi_$x`,
// `__pi_.L...`), its CFI type ids and any lld `__...Thunk_`: kas drops the
// union of both versions. For modules, kernel/module/kallsyms.c
// shows every named symbol of an allocated section: what the target's nm
// lists. ARM/AArch64/RISC-V mapping symbols are hidden by that nm (see
// read_symbols); in 6.1 the kernel lists them in /proc/kallsyms but skips
// them, and `.L` labels, when naming an address, so they are never aliased.
#pragma once

#include <cstdint>
#include <string_view>

namespace kas {

// True for a vmlinux name kallsyms leaves out (never counted), and for names
// never worth an alias anywhere (mapping symbols, `.L` labels).
[[nodiscard]] bool kallsyms_ignores(std::string_view name);

// An ELF mapping symbol of machine `e_machine` (ARM, AArch64, RISC-V): the
// target's nm does not list it (bfd's is_target_special_symbol).
[[nodiscard]] bool is_mapping_symbol(std::string_view name, uint16_t e_machine);

}  // namespace kas
