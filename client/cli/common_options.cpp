#include "client/cli/common_options.hpp"

#include "core/util/parallel.hpp"
#include "proto/socket_path.hpp"

namespace kas::cli {

OptionSpec socket_option() {
  return {.long_name = "socket",
          .arg_name = "PATH",
          .help = "kasd's socket (default: $KAS_SOCKET or the per-user one)",
          .complete = Completion::kFiles};
}

std::string socket_of(const Invocation& args) { return args.value("socket", default_socket_path()); }

std::vector<OptionSpec> routing_options() {
  return {{.long_name = "no-daemon", .help = "run in this process instead of through kasd"}, socket_option()};
}

Routing routing_of(const Invocation& args) {
  Routing routing;
  routing.no_daemon = args.flag("no-daemon");
  routing.daemon.socket_path = args.value("socket");
  return routing;
}

OptionSpec jobs_option() {
  return {.long_name = "jobs",
          .short_name = 'j',
          .arg_name = "N",
          .help = "worker threads (default: all cores)",
          .check = is_count};
}

unsigned jobs_of(const Invocation& args) { return args.number("jobs", default_jobs()); }

OptionSpec output_option(const char* help) {
  return {.long_name = "output",
          .short_name = 'o',
          .arg_name = "FILE",
          .help = help,
          .complete = Completion::kFiles};
}

OptionSpec srctree_option() {
  return {.long_name = "srctree",
          .arg_name = "DIR",
          .help = "kernel source tree (default: inferred from DWARF)",
          .complete = Completion::kDirectories};
}

OptionSpec lto_option() {
  return {.long_name = "lto",
          .arg_name = "KIND",
          .help = "LTO suffixes the kernel's names carry: thin (.llvm.N, .lto_priv.N), full (those and a bare .N), "
                  "none (default: detected from the kernel's config, else vmlinux's names)",
          .check = is_lto_kind,
          .complete = Completion::kWords,
          .words = "thin full none detect"};
}

Lto lto_of(const Invocation& args) { return parse_lto(args.value("lto", "detect")).value_or(Lto::kDetect); }

bool is_lto_kind(const std::string& value) { return parse_lto(value).has_value(); }

std::vector<OptionSpec> alias_options() {
  return {{.long_name = "data", .help = "alias data symbols too, not only text (T/t)"},
          lto_option(),
          {.long_name = "separator",
           .arg_name = "C",
           .help = "character between name and location (default '@'): printable ASCII, no space, none of "
                   "[A-Za-z0-9_.$:+/[]*?] (names, kas's syntax) nor of #%'\"`\\ (kprobe_events, quoting)",
           .check = is_separator,
           .why_invalid = separator_problem_of}};
}

AliasOptions alias_of(const Invocation& args) {
  AliasOptions alias;
  alias.data = args.flag("data");
  alias.lto = lto_of(args);
  alias.separator = args.value("separator", std::string(1, alias.separator))[0];
  return alias;
}

std::vector<OptionSpec> census_source_options() {
  return {{.long_name = "nm",
           .arg_name = "FILE",
           .help = "vmlinux symbols: nm text (scripts/mksysmap output, System.map) or an ELF file (vmlinux.o)",
           .complete = Completion::kFiles},
          {.long_name = "modules-order",
           .arg_name = "FILE",
           .help = "count the modules a kbuild modules.order lists (repeatable)",
           .complete = Completion::kFiles},
          {.long_name = "modules",
           .arg_name = "DIR",
           .help = "count every *.ko (or .ko.xz, .ko.zst, .ko.gz) below DIR (repeatable)",
           .complete = Completion::kDirectories}};
}

KernelFiles kernel_files_of(const Invocation& args) {
  KernelFiles files;
  files.vmlinux = args.value("nm");
  files.modules_orders = args.values("modules-order");
  files.module_dirs = args.values("modules");
  return files;
}

std::vector<OptionSpec> global_options() { return option_list({routing_options(), {jobs_option()}}); }

std::vector<OptionSpec> option_list(std::initializer_list<std::vector<OptionSpec>> groups) {
  std::vector<OptionSpec> out;
  for (const std::vector<OptionSpec>& g : groups) out.insert(out.end(), g.begin(), g.end());
  return out;
}

bool is_count(const std::string& value) {
  unsigned ignored = 0;
  return parse_unsigned(value, ignored);
}

bool is_separator(const std::string& value) { return value.size() == 1 && valid_separator(value[0]); }

std::string separator_problem_of(const std::string& value) {
  return value.size() == 1 ? separator_problem(value[0]) : "one character";
}

}  // namespace kas::cli
