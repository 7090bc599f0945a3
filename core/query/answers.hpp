// What the interactive commands ask and what they get back: plain data,
// shared by the in-process engine, the wire conversion and the client's
// table and JSON output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kas {

// One definition of a symbol in vmlinux or a module.
struct SymbolDefinition {
  std::string binary;     // "vmlinux" or the module name ("uio")
  std::string path;       // the file it was read from
  std::string name;
  char nm_type = '?';
  std::string section;    // ".text", ".init.text"; "" when unknown
  uint64_t address = 0;   // vmlinux: the link address; modules: the offset in `section`
  bool relocatable = false;  // `address` is a section offset (a module)
  uint64_t size = 0;
  uint32_t count = 0;     // definitions of the name over vmlinux and all modules (the census)
  std::string alias;      // the alias the build gives it; "" when it gets none
  // Where it is defined (DW_AT_decl_file/line); empty/0 when DWARF has no
  // location or the binary's debug info could not be read (see note).
  std::string file;
  uint32_t line = 0;
  std::string unit;       // its compilation unit's source
  // Its position among the definitions of its name in its binary, in
  // kallsyms order (1-based): livepatch's sympos (FUNC,SYMPOS). 0: unknown.
  uint32_t sympos = 0;
  std::string note;       // why file/line are missing, when they are
};

struct LookupAnswer {
  std::vector<SymbolDefinition> definitions;  // sorted: vmlinux first, then modules by name, then address
  size_t total = 0;                           // matches before the limit
};

// One query of `kas resolve` or one frame of `kas decode`.
struct FrameQuery {
  std::string text;            // as the user or the log wrote it
  bool by_address = false;     // a bare address
  uint64_t address = 0;
  std::string symbol;          // name or alias
  uint64_t offset = 0;
  bool has_size = false;       // "/SIZE" given (oops frames)
  uint64_t size = 0;
  std::string module;          // "MODULE:" or "[module]"; "vmlinux" names vmlinux
  bool module_given = false;
  std::string build_id;        // "[module BUILDID]" (CONFIG_STACKTRACE_BUILD_ID); not checked
  // perf's FUNC@SRC[:RLN]: the definition whose source path ends with
  // `source` (perf's strtailcmp); RLN, a line relative to the function's
  // declaration, is parsed but probes only take +OFF.
  std::string source;
  bool has_source_line = false;
  uint32_t source_line = 0;
  // livepatch's FUNC,SYMPOS: the Nth definition of the name in its object
  // in kallsyms order (klp_find_object_symbol); 0: the only one.
  bool has_sympos = false;
  uint32_t sympos = 0;
  // A return address (a call-trace frame, not the faulting RIP/pc): the
  // source is looked up at OFF-1, inside the call instruction, as the
  // kernel's own %pB does when it picks the symbol.
  bool return_address = false;
};

// One inlined or out-of-line function at an address, innermost first.
struct SourceFrameInfo {
  std::string function;
  std::string file;
  uint32_t line = 0;
};

struct Resolution {
  SymbolDefinition symbol;   // the function holding the address
  uint64_t offset = 0;       // from the symbol's start
  std::vector<SourceFrameInfo> frames;  // empty when there is no line information
};

struct ResolveAnswer {
  FrameQuery query;
  // One when the query names one definition; several when it stays
  // ambiguous (every candidate, never a guess); none: see `error`.
  std::vector<Resolution> candidates;
  std::string error;
};

// One `kas probe` SPEC (parsed as a FrameQuery: SYMBOL[+OFF], MODULE:SYMBOL,
// an alias) and where a kprobe on it goes in the target kernel.
struct ProbeAnswer {
  FrameQuery query;
  SymbolDefinition symbol;  // the one definition probed (when found)
  // What the kernel's kprobe_events accepts for it, valid across reboots of
  // the same kernel: the alias, NAME, MODULE:NAME or ANCHOR+0xOFF (see
  // SymbolIndex::probe). Empty with `error`.
  std::string location;
  std::string how;          // "alias", "unique", "module", "anchor", "vmlinux-first", ...
  std::string anchor;       // with "anchor": the uniquely named symbol it counts from
  uint64_t anchor_offset = 0;
  // No uniquely named symbol before it: `anchor` is the first after it and
  // the function lies `anchor_offset` bytes before that (kprobe_events takes
  // no negative offset, so this places only a runtime address).
  bool anchor_after = false;
  std::vector<SymbolDefinition> candidates;  // when the SPEC names several (or none that fits)
  std::string error;
};

}  // namespace kas
