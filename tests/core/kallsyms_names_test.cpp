// The names kallsyms never shows, with examples taken from Debian's arm64
// 6.1 System.map (which mksysmap filtered, but scripts/kallsyms.c still
// drops), from 6.12's scripts/mksysmap and from arm64 module symbol tables.
#include "core/elf/kallsyms_names.hpp"

#include <elf.h>
#include <gtest/gtest.h>

namespace kas {
namespace {

TEST(KallsymsNames, DropsWhatScriptsKallsymsAndMksysmapDrop) {
  for (const char* name : {"__kvm_nvhe_$x", "__kvm_nvhe_$d", "__kvm_nvhe_.Lfunc_end3", "__efistub_memcpy",
                           "__AArch64ADRPThunk_foo", "__kcfi_typeid_bar", "handler_veneer", "x_from_arm",
                           "y_from_thumb", "f.long_branch.g", "f.plt_branch.g", "_SDA_BASE_", "$x", "$d.12",
                           ".L__unnamed_1", ".LC0", "",
                           // 6.12's mksysmap
                           "__pi_$x", "__pi_.Ltmp3", "__pi___kcfi_typeid_memcpy", "__kvm_nvhe___kcfi_typeid_f",
                           "__AArch64AbsLongThunk_memset", "__ARMV7PILongThunk_x", "__MipsThunk_"}) {
    EXPECT_TRUE(kallsyms_ignores(name)) << name;
  }
  for (const char* name : {"name_show", "__kvm_nvhe_handle_trap", "gic_mask_irq", "veneer", "load_elf_binary",
                           "__efistub", "_SDA_BASE", "foo.cold", "bar.constprop.0", "__pi_memcpy",
                           "__pi_early_map_kernel", "__Thunk", "__my_Thunk_x", "Thunk_", "__pfx_name_show"}) {
    EXPECT_FALSE(kallsyms_ignores(name)) << name;
  }
}

TEST(KallsymsNames, MappingSymbolsPerMachine) {
  for (const char* name : {"$x", "$d", "$x.7", "$d.123"}) {
    EXPECT_TRUE(is_mapping_symbol(name, EM_AARCH64)) << name;
    EXPECT_FALSE(is_mapping_symbol(name, EM_X86_64)) << name;
  }
  for (const char* name : {"$a", "$t", "$d", "$a.1", "$t.2"}) EXPECT_TRUE(is_mapping_symbol(name, EM_ARM)) << name;
  EXPECT_TRUE(is_mapping_symbol("$xrv64i2p1_m2p0", EM_RISCV));
  for (const char* name : {"$a", "$t", "$xy", "x$", "$", "name_show"}) {
    EXPECT_FALSE(is_mapping_symbol(name, EM_AARCH64)) << name;
  }
}

}  // namespace
}  // namespace kas
