// kas vmlinux / kas census: argument handling, the engine call, and output.
// Output goes through an AtomicFile so make never sees a partial file; an
// error is one line "kas: FILE: reason" on stderr and a non-zero exit.
#include "client/commands.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "client/command_support.hpp"
#include "client/options.hpp"
#include "client/remote.hpp"
#include "core/engine/engine.hpp"
#include "core/util/file.hpp"
#include "core/util/parallel.hpp"

namespace kas::cli {

namespace {

int write_output(const std::string& out_path, const std::string& text) {
  Result<void> written = out_path.empty() || out_path == "-" ? write_stdout(text) : write_file_atomic(out_path, text);
  if (!written) return report(written.error());
  return kExitOk;
}

void add_census_source_options(std::vector<OptionSpec>& specs, CensusSources& sources) {
  specs.push_back({"nm", 0, "FILE", "vmlinux symbols: nm text (scripts/mksysmap output, System.map) or an ELF file (vmlinux.o)",
                   [&](const std::string& v) { sources.nm_path = v; return true; }});
  specs.push_back({"modules-order", 0, "FILE", "count the modules a kbuild modules.order lists (repeatable)",
                   [&](const std::string& v) { sources.modules_orders.push_back(v); return true; }});
  specs.push_back({"modules", 0, "DIR", "count every *.ko below DIR (repeatable)",
                   [&](const std::string& v) { sources.module_dirs.push_back(v); return true; }});
}

}  // namespace

int run_vmlinux(int argc, char** argv) {
  VmlinuxRequest request;
  request.jobs = default_jobs();
  std::string out_path;
  bool verbose = false;
  std::vector<OptionSpec> specs;
  add_census_source_options(specs, request.census);
  specs.push_back({"census", 0, "FILE", "use this complete census (name:count lines) instead of counting modules",
                   [&](const std::string& v) { request.census.census_path = v; return true; }});
  specs.push_back({"elf", 0, "VMLINUX", "the vmlinux whose DWARF gives locations",
                   [&](const std::string& v) { request.elf_path = v; return true; }});
  specs.push_back({"srctree", 0, "DIR", "kernel source tree (default: inferred from DWARF)",
                   [&](const std::string& v) { request.srctree = v; return true; }});
  add_alias_options(specs, request.alias);
  specs.push_back(jobs_option(request.jobs));
  specs.push_back({"output", 'o', "FILE", "write here atomically (default: stdout)",
                   [&](const std::string& v) { out_path = v; return true; }});
  specs.push_back({"verbose", 'v', nullptr, "print statistics and unlocated symbols on stderr",
                   [&](const std::string&) { verbose = true; return true; }});
  Routing routing;
  add_routing_options(specs, routing);

  ParsedArgs args;
  if (!parse_options("vmlinux", argc, argv, 2, specs, args)) return kExitUsage;
  if (args.help) {
    std::printf(
        "usage: kas vmlinux --nm IN --elf VMLINUX [--modules-order FILE | --modules DIR]...\n"
        "                   [--census FILE] [--srctree DIR] [--data] [--separator C] [-o OUT]\n\n"
        "Copies the nm listing IN and adds, after each duplicated symbol, an alias line\n"
        "at the same address: NAME@PATH_LINE (e.g. name_show@kernel_irq_irqdesc_c_264).\n"
        "The drop-in for the kallsyms step of scripts/link-vmlinux.sh.\n\n%s\n"
        "example:\n"
        "  kas vmlinux --nm System.map --elf vmlinux --modules-order modules.order -o System.map.alias\n",
        format_options(specs).c_str());
    return kExitOk;
  }
  if (!args.positional.empty()) {
    std::fprintf(stderr, "kas vmlinux: unexpected argument '%s'\n", args.positional[0].c_str());
    return kExitUsage;
  }
  if (request.census.nm_path.empty() || request.elf_path.empty()) {
    std::fprintf(stderr, "kas vmlinux: --nm and --elf are required (see 'kas vmlinux --help')\n");
    return kExitUsage;
  }

  auto result = routed(
      routing, [&] { return remote_vmlinux(routing.daemon, request); }, [&] { return alias_vmlinux(request); });
  if (!result) return report(result.error());
  if (verbose) {
    const VmlinuxStats& s = result->stats;
    std::fprintf(stderr,
                 "kas: %zu lines, %zu census names from vmlinux + %zu modules, %zu eligible, %zu aliases "
                 "(%zu disambiguated, %zu from line table), %zu without location\n",
                 s.input_lines, s.census_names, s.modules, s.eligible, s.aliases, s.disambiguated,
                 s.from_line_table, s.unlocated);
    for (const std::string& name : result->unlocated_names) std::fprintf(stderr, "kas: no location: %s\n", name.c_str());
  }
  return write_output(out_path, result->text);
}

int run_census(int argc, char** argv) {
  CensusSources sources;
  unsigned jobs = default_jobs();
  bool lto = false;
  bool units = false;
  std::string out_path;
  std::vector<OptionSpec> specs;
  add_census_source_options(specs, sources);
  specs.push_back({"units", 0, nullptr, "also count each module's source files (for kas module --census)",
                   [&](const std::string&) { units = true; return true; }});
  specs.push_back({"lto", 0, nullptr, "LTO build: count names without .llvm.N / .lto_priv.N suffixes",
                   [&](const std::string&) { lto = true; return true; }});
  specs.push_back(jobs_option(jobs));
  specs.push_back({"output", 'o', "FILE", "write here atomically (default: stdout)",
                   [&](const std::string& v) { out_path = v; return true; }});
  Routing routing;
  add_routing_options(specs, routing);

  ParsedArgs args;
  if (!parse_options("census", argc, argv, 2, specs, args)) return kExitUsage;
  if (args.help) {
    std::printf(
        "usage: kas census [--nm IN] [--modules-order FILE | --modules DIR]... [-o FILE]\n\n"
        "Counts how often each symbol name is defined in vmlinux (its nm listing) and\n"
        "the modules, and writes one 'name:count' line per name, sorted by name (the\n"
        "modules.symbfreq format). Undefined symbols do not count. With --units it\n"
        "also counts, per source file path, the modules compiling it: a census file\n"
        "for kas module must have them to keep aliases unique when one .c is linked\n"
        "into several modules.\n\n%s\n"
        "example:\n"
        "  kas census --nm System.map --modules-order modules.order --units -o modules.symbfreq\n",
        format_options(specs).c_str());
    return kExitOk;
  }
  if (!args.positional.empty()) {
    std::fprintf(stderr, "kas census: unexpected argument '%s'\n", args.positional[0].c_str());
    return kExitUsage;
  }
  if (sources.nm_path.empty() && sources.modules_orders.empty() && sources.module_dirs.empty()) {
    std::fprintf(stderr, "kas census: nothing to count: give --nm, --modules-order or --modules\n");
    return kExitUsage;
  }
  auto text = routed(
      routing, [&] { return remote_census(routing.daemon, sources, lto, units); },
      [&]() -> Result<std::string> {
        auto result = build_census(sources, jobs, lto, units);
        if (!result) return std::unexpected(result.error());
        return result->census.to_symbfreq();
      });
  if (!text) return report(text.error());
  return write_output(out_path, *text);
}

}  // namespace kas::cli

namespace kas::cli {

int run_module(int argc, char** argv) {
  ModuleRequest request;
  request.jobs = default_jobs();
  bool verbose = false;
  std::vector<OptionSpec> specs;
  add_census_source_options(specs, request.census);
  specs.push_back({"census", 0, "FILE", "a complete census (name:count lines, e.g. the build's modules.symbfreq)",
                   [&](const std::string& v) { request.census.census_path = v; return true; }});
  specs.push_back({"kernel", 0, "DIR|RELEASE", "census of an installed kernel: System.map + /lib/modules/RELEASE",
                   [&](const std::string& v) { request.kernel = v; return true; }});
  specs.push_back({"system-map", 0, "FILE", "with --kernel: its System.map, when not found beside it",
                   [&](const std::string& v) { request.system_map = v; return true; }});
  specs.push_back({"srctree", 0, "DIR", "kernel source tree (default: inferred from DWARF)",
                   [&](const std::string& v) { request.srctree = v; return true; }});
  add_alias_options(specs, request.alias);
  specs.push_back(jobs_option(request.jobs));
  specs.push_back({"output", 'o', "FILE", "write here atomically (default: IN.kas)",
                   [&](const std::string& v) { request.output = v; return true; }});
  specs.push_back({"in-place", 0, nullptr, "atomically replace IN (for finished .ko files)",
                   [&](const std::string&) { request.in_place = true; return true; }});
  specs.push_back({"verbose", 'v', nullptr, "list the aliases added on stderr",
                   [&](const std::string&) { verbose = true; return true; }});
  Routing routing;
  add_routing_options(specs, routing);

  ParsedArgs args;
  if (!parse_options("module", argc, argv, 2, specs, args)) return kExitUsage;
  if (args.help) {
    std::printf(
        "usage: kas module IN [-o OUT | --in-place] [--census FILE | --kernel DIR|RELEASE |\n"
        "                  --nm FILE [--modules-order FILE | --modules DIR]...] [--srctree DIR] [--data]\n\n"
        "Writes the module object IN with an alias symbol added for each duplicated\n"
        "symbol (same section, value, size and type; local for lowercase nm types,\n"
        "global for uppercase): NAME@PATH_LINE. IN is never modified (unless --in-place).\n"
        "The module itself counts in the census. Names it makes newly duplicate are\n"
        "reported on stderr: the objects that also define them need a rebuild.\n\n%s\n"
        "examples:\n"
        "  kas module drivers/uio/uio.o --census modules.symbfreq        # writes uio.o.kas\n"
        "  kas module drivers/uio/uio.o --nm vmlinux.o --modules-order modules.order   # in kbuild\n"
        "  kas module hello.ko --kernel $(uname -r) --in-place          # out-of-tree, after the build\n",
        format_options(specs).c_str());
    return kExitOk;
  }
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "kas module: expected one module object (see 'kas module --help')\n");
    return kExitUsage;
  }
  request.input = args.positional[0];
  if (request.in_place && !request.output.empty()) {
    std::fprintf(stderr, "kas module: --in-place and -o exclude each other\n");
    return kExitUsage;
  }
  if (request.census.nm_path.empty() && request.census.census_path.empty() && request.kernel.empty() &&
      request.census.modules_orders.empty() && request.census.module_dirs.empty()) {
    std::fprintf(stderr, "kas module: no census: give --census, --kernel, or --nm with module sources\n");
    return kExitUsage;
  }
  auto result = routed(
      routing, [&] { return remote_module(routing.daemon, request); }, [&] { return alias_module(request); });
  if (!result) return report(result.error());
  for (const std::string& name : result->newly_duplicated) {
    std::fprintf(stderr, "kas: %s: '%s' was unique and is now duplicated: rebuild the object that also defines it\n",
                 request.input.c_str(), name.c_str());
  }
  for (const std::string& name : result->unlocated) {
    std::fprintf(stderr, "kas: %s: no DWARF location for duplicated '%s': no alias\n", request.input.c_str(),
                 name.c_str());
  }
  if (verbose) {
    for (const ModuleAlias& a : result->aliases) {
      std::fprintf(stderr, "kas: %s: %s+0x%llx %c %s\n", request.input.c_str(), a.section.c_str(),
                   static_cast<unsigned long long>(a.value), a.nm_type, a.alias.c_str());
    }
    std::fprintf(stderr, "kas: %s: %zu symbols, %zu eligible, %zu aliases, census of %zu modules%s -> %s\n",
                 request.input.c_str(), result->symbols, result->eligible, result->aliases.size(),
                 result->census_modules, result->census_included_module ? " (including this one)" : "",
                 result->output_path.c_str());
  }
  return kExitOk;
}

}  // namespace kas::cli
