// Options several commands share, each declared once with its help text,
// and the readers that turn what was given into the core's request types.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "client/cli/command.hpp"
#include "client/cli/options.hpp"
#include "client/link/routing.hpp"
#include "service/vocabulary.hpp"

namespace kas::cli {

// --no-daemon, --socket PATH.
[[nodiscard]] std::vector<OptionSpec> routing_options();
[[nodiscard]] Routing routing_of(const Invocation& args);

// --socket PATH alone (kas daemon).
[[nodiscard]] OptionSpec socket_option();
[[nodiscard]] std::string socket_of(const Invocation& args);

// -j/--jobs N; default: every core.
[[nodiscard]] OptionSpec jobs_option();
[[nodiscard]] unsigned jobs_of(const Invocation& args);

// -o/--output FILE, with the command's default in `help`.
[[nodiscard]] OptionSpec output_option(const char* help);

// --srctree DIR.
[[nodiscard]] OptionSpec srctree_option();

// --data, --lto, --separator C.
[[nodiscard]] std::vector<OptionSpec> alias_options();
[[nodiscard]] AliasOptions alias_of(const Invocation& args);

// --nm FILE, --modules-order FILE..., --modules DIR... (not --census: its
// help differs between commands).
[[nodiscard]] std::vector<OptionSpec> census_source_options();
[[nodiscard]] KernelFiles kernel_files_of(const Invocation& args);

// The options kas takes before a command name (each means what it means
// after it): --no-daemon, --socket, -j/--jobs.
[[nodiscard]] std::vector<OptionSpec> global_options();

// Groups and single options, in order: one command's table.
[[nodiscard]] std::vector<OptionSpec> option_list(std::initializer_list<std::vector<OptionSpec>> groups);

// Checks for OptionSpec::check.
[[nodiscard]] bool is_count(const std::string& value);  // a whole number > 0
[[nodiscard]] bool is_separator(const std::string& value);
// Why is_separator refused `value` (OptionSpec::why_invalid).
[[nodiscard]] std::string separator_problem_of(const std::string& value);
// detect, none, thin or full (--lto).
[[nodiscard]] bool is_lto_kind(const std::string& value);
// --lto KIND, and its value (Lto::kDetect when not given).
[[nodiscard]] OptionSpec lto_option();
[[nodiscard]] Lto lto_of(const Invocation& args);

}  // namespace kas::cli
