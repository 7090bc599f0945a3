// kas decode: a kernel log or oops on stdin, printed back with each stack
// frame's file:line, alias and inline calls. The whole trace is one
// question (one request to kasd).
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/cli/commands/commands.hpp"
#include "client/cli/query_ask.hpp"
#include "client/render/query_output.hpp"
#include "service/vocabulary.hpp"
#include "core/util/file.hpp"

namespace kas::cli {

namespace {

// The whole of `in`.
std::string read_all(std::istream& in) {
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) data.append(buf, static_cast<size_t>(in.gcount()));
  return data;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Frames not decoded to one file:line, counted on stderr: exit 1 when any
// (the log itself still passes through whole).
// An unreliable frame pointing past its function's end (a stale code
// pointer) has no line to give, as addr2line has none: said, not failed.
int report_undecoded(const std::vector<ResolveAnswer>& answers, const std::vector<const LogFrame*>& frames) {
  size_t failed = 0;
  size_t ambiguous = 0;
  size_t no_lines = 0;
  size_t stale = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    const ResolveAnswer& a = answers[i];
    if (!a.error.empty() || a.candidates.empty()) {
      ++failed;
    } else if (a.candidates.size() > 1) {
      ++ambiguous;
    } else if (a.candidates.front().frames.empty()) {
      ++(frames[i]->stale_pointer() ? stale : no_lines);
    }
  }
  if (stale != 0) {
    std::fprintf(stderr, "kas decode: %zu unreliable '?' frame%s at a function's end (a stale pointer to the next "
                 "function): no line there\n", stale, stale == 1 ? "" : "s");
  }
  const size_t undecoded = failed + ambiguous + no_lines;
  if (undecoded == 0) return kExitOk;
  std::string parts;
  auto add = [&](size_t n, const char* what) {
    if (n != 0) parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(failed, "not found");
  add(ambiguous, "ambiguous");
  add(no_lines, "without line information");
  std::fprintf(stderr, "kas decode: %zu of %zu frames not decoded (%s)\n", undecoded, answers.size(), parts.c_str());
  return kExitFailure;
}

int run(const Invocation& args) {
  const QueryOptions options = query_options_of(args);
  const std::string log = read_all(std::cin);
  const std::vector<std::string_view> lines = split_lines(log);
  std::vector<std::optional<LogFrame>> frames;
  std::vector<FrameQuery> queries;
  // arm64 starts an oops's "Call trace:" at the faulting pc itself
  // (unwind_init_from_regs), which is no return address.
  std::string pc_frame;
  bool trace_starts = false;
  frames.reserve(lines.size());  // found_frames points into it
  std::vector<const LogFrame*> found_frames;
  for (std::string_view line : lines) {
    frames.push_back(find_log_frame(line));
    if (line.find("Call trace:") != std::string_view::npos) trace_starts = true;
    if (!frames.back()) continue;
    FrameQuery& q = frames.back()->query;
    if (line.find("pc :") != std::string_view::npos) {
      pc_frame = q.text;
    } else if (trace_starts) {
      if (q.text == pc_frame) q.return_address = false;
      trace_starts = false;
    }
    queries.push_back(q);
    found_frames.push_back(&*frames.back());
  }
  std::vector<ResolveAnswer> answers;
  if (!queries.empty()) {
    auto asked = resolve_all(options, queries);
    if (!asked) return report(asked.error());
    answers = std::move(*asked);
  }
  const int status = report_undecoded(answers, found_frames);
  if (options.json) {
    if (auto r = write_stdout(resolve_json(answers)); !r) return report(r.error());
    return status;
  }
  const Style style = style_of(options);
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (frames[i] && next < answers.size()) {
      out += decode_line(lines[i], *frames[i], answers[next++], style);
    } else {
      out.append(lines[i]);
      out += '\n';
    }
  }
  if (auto r = write_stdout(out); !r) return report(r.error());
  return status;
}

}  // namespace

const Command& decode_command() {
  static const Command command{
      .name = "decode",
      .summary = "annotate the stack frames of a kernel log or oops (stdin)",
      .usage = "kas decode [--tree DIR | --kernel RELEASE | --live] [--json] < LOG",
      .about = "Reads a kernel log or oops on stdin and prints it back with every stack frame\n"
               "(func+0x1a/0x40 [module]) followed by its file:line, the alias of a duplicated\n"
               "name, and one line per inlined call. Like scripts/decode_stacktrace.sh, but a\n"
               "duplicated name resolves to the definition in the frame's module with the\n"
               "frame's size, or lists every candidate; call-trace frames are return\n"
               "addresses, so their line is the call's (looked up at OFF-1, as the kernel's\n"
               "%pB picks the symbol), the RIP/pc frame's is the faulting instruction's; and\n"
               "the whole trace is one question to kasd. Frames are found as the kernel prints\n"
               "them: x86-64 RIP: and Call Trace: (with '? ' unreliable frames), arm64 pc :,\n"
               "lr : and Call trace:, [module] and [module BUILDID], timestamps, log levels\n"
               "and caller ids; /SIZE is matched as kallsyms computes it (the distance to the\n"
               "next symbol) or as the ELF size. Exits 1 when a frame is left undecoded (not\n"
               "found, ambiguous or without line information; counted on stderr), with the\n"
               "whole log still printed.\n",
      .options = query_options(),
      .operands = {.instead = "reads the log on stdin"},
      .examples = "  dmesg | kas decode --live\n"
                  "  kas decode --tree ~/linux/build < oops.txt\n"
                  "  journalctl -k -b -1 | kas decode --kernel 6.1.0-56-amd64\n",
      .run = run,
  };
  return command;
}

}  // namespace kas::cli
