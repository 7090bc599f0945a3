// kas lookup / resolve / decode, the real binary through a real daemon (and
// in-process), on the fixture kernel: output shapes, exit codes, JSON
// against doc/schema, and an oops decoded frame by frame against
// eu-addr2line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/oracles.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

std::string schema_validator() { return test::fixtures_dir() + "/../../doc/schema/validate.py"; }

// Runs argv with `input` on stdin (through a file: run_process has no stdin).
test::ProcessResult run_with_stdin(const std::vector<std::string>& argv, const std::string& input,
                                   const test::TempDir& dir) {
  test::write_text(dir.file("stdin"), input);
  std::string command;
  for (const std::string& a : argv) command += "'" + a + "' ";
  return test::run_process({"sh", "-c", command + "< '" + dir.file("stdin") + "'"});
}

bool valid_json(const std::string& schema, const std::string& json, const test::TempDir& dir) {
  auto r = run_with_stdin({"python3", schema_validator(), schema}, json, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err << json.substr(0, 2000);
  return r.exit_code == 0;
}

struct Sized {
  uint64_t value = 0;
  uint64_t size = 0;
};

std::vector<Sized> nm_sized(const std::string& path, const std::string& name) {
  std::vector<Sized> out;
  for (const test::SizedSymbol& s : test::nm_sized(path)) {
    if (s.name == name) out.push_back({s.value, s.size});
  }
  return out;
}

// The "/SIZE" the kernel prints for each symbol, derived here as the
// kernel does, independently of kas (and never from nm -S, the ELF size):
// vmlinux: get_symbol_pos() measures to the next kallsyms entry at a higher
// address (mksysmap's listing: no a/A/N/U/w lines, no $ or .L names);
// a module: find_kallsyms_symbol() measures to the next named symbol at a
// higher runtime address, or to its text region's end, with the text laid
// out by layout_sections() (every allocated executable section in header
// order, aligned; .init ones in their own region; the end page-aligned).
std::vector<Sized> kallsyms_sized(const std::string& path, const std::string& name, bool module) {
  std::vector<Sized> out;
  if (!module) {
    std::vector<std::pair<uint64_t, std::string>> listed;
    std::regex line(R"(^([0-9a-f]+) (\S) (\S+)$)");
    for (const std::string& l : test::split_lines(test::run_process(test::nm_command({"-n"}, path)).out)) {
      std::smatch m;
      if (!std::regex_match(l, m, line)) continue;
      const char type = m[2].str()[0];
      const std::string n = m[3];
      if (std::string("aANUw").find(type) != std::string::npos || n.starts_with("$") || n.starts_with(".L")) continue;
      listed.emplace_back(std::stoull(m[1], nullptr, 16), n);
    }
    for (size_t i = 0; i < listed.size(); ++i) {
      if (listed[i].second != name) continue;
      for (size_t j = i + 1; j < listed.size(); ++j) {
        if (listed[j].first > listed[i].first) {
          out.push_back({listed[i].first, listed[j].first - listed[i].first});
          break;
        }
      }
    }
    return out;
  }
  struct Placed {
    int region = -1;  // 0 core text, 1 init text
    uint64_t offset = 0;
  };
  std::map<int, Placed> placed;
  uint64_t end[2] = {0, 0};
  std::regex sec(R"(^\s*\[\s*(\d+)\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S*)\s+\d+\s+\d+\s+(\d+)$)");
  for (const std::string& l : test::split_lines(test::run_process({"readelf", "-SW", path}).out)) {
    std::smatch m;
    if (!std::regex_match(l, m, sec)) continue;
    const std::string flags = m[4];
    if (flags.find('A') == std::string::npos || flags.find('X') == std::string::npos) continue;
    const int region = m[2].str().starts_with(".init") ? 1 : 0;
    const uint64_t align = std::max<uint64_t>(1, std::stoull(m[5]));
    const uint64_t at = (end[region] + align - 1) / align * align;
    placed[std::stoi(m[1])] = {region, at};
    end[region] = at + std::stoull(m[3], nullptr, 16);
  }
  struct PlacedSym {
    uint64_t at = 0;
    int region = 0;
    uint64_t value = 0;
    std::string name;
  };
  std::vector<PlacedSym> syms;
  std::regex sym(R"(^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+(\S+)\s+\S+\s+\S+\s+(\d+)\s+(\S+)$)");
  for (const std::string& l : test::split_lines(test::run_process({"readelf", "-sW", path}).out)) {
    std::smatch m;
    if (!std::regex_match(l, m, sym) || m[2] == "SECTION" || m[2] == "FILE") continue;
    auto p = placed.find(std::stoi(m[3]));
    const std::string n = m[4];
    if (p == placed.end() || n.starts_with("$") || n.starts_with(".L")) continue;
    const uint64_t value = std::stoull(m[1], nullptr, 16);
    syms.push_back({p->second.offset + value, p->second.region, value, n});
  }
  for (const PlacedSym& s : syms) {
    if (s.name != name) continue;
    uint64_t next = (end[s.region] + 4095) / 4096 * 4096;
    for (const PlacedSym& o : syms) {
      if (o.region == s.region && o.at > s.at && o.at < next) next = o.at;
    }
    out.push_back({s.value, next - s.at});
  }
  return out;
}

// The section of module symbol `name` (readelf's Ndx, then its header name).
std::string section_of(const std::string& path, const std::string& name) {
  auto syms = test::run_process({"readelf", "-sW", path});
  std::regex sym(R"(^\s*\d+:\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\d+)\s+(\S+)$)");
  std::string ndx;
  for (const std::string& line : test::split_lines(syms.out)) {
    std::smatch m;
    if (std::regex_match(line, m, sym) && m[2] == name) ndx = m[1];
  }
  auto sections = test::run_process({"readelf", "-SW", path});
  std::regex sec(R"(^\s*\[\s*(\d+)\]\s+(\S+)\s.*$)");
  for (const std::string& line : test::split_lines(sections.out)) {
    std::smatch m;
    if (std::regex_match(line, m, sec) && m[1] == ndx) return m[2];
  }
  return {};
}

struct Frame {
  std::string function;
  std::string file;  // normalized, relative to the fixture source tree
  uint32_t line = 0;
};

std::string relative(const std::string& path, const std::string& root) {
  std::string p = std::filesystem::path(path).lexically_normal().string();
  std::string r = std::filesystem::path(root).lexically_normal().string();
  if (!r.ends_with("/")) r += "/";
  return p.starts_with(r) ? p.substr(r.size()) : p;
}

// eu-addr2line -f -i, innermost first, files relative to `root`.
std::vector<Frame> eu_addr2line(const std::string& path, uint64_t address, const std::string& section,
                                const std::string& root) {
  std::vector<Frame> out;
  for (const test::SourceLine& l : test::eu_addr2line(path, address, section)) {
    out.push_back({l.function, relative(l.file, root), l.line});
  }
  return out;
}

class QueryCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    k_ = &test::fixture_kernel("intree");
    ASSERT_FALSE(k_->root.empty());
  }
  test::ProcessResult kas(std::vector<std::string> args) {
    args.insert(args.begin(), test::kas_binary());
    args.push_back("--tree");
    args.push_back(k_->objtree);
    return test::run_process(args);
  }
  const test::FixtureKernel* k_ = nullptr;
  test::TempDir dir_;
};

TEST_F(QueryCommands, LookupTableThroughTheDaemonEqualsInProcess) {
  auto daemon = kas({"lookup", "name_show"});
  ASSERT_EQ(daemon.exit_code, 0) << daemon.err;
  auto local = kas({"lookup", "name_show", "--no-daemon"});
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_EQ(daemon.out, local.out);
  EXPECT_EQ(daemon.err, "");
  auto rows = test::split_lines(daemon.out);
  ASSERT_EQ(rows.size(), 5u) << daemon.out;  // header + 4 definitions
  EXPECT_TRUE(rows[0].starts_with("BINARY")) << rows[0];
  for (const test::Marker& m : test::markers_for("name_show")) {
    std::string place = m.file + ":" + std::to_string(m.line);
    std::string alias = "name_show@" + test::decorate(m.file) + "_" + std::to_string(m.line);
    bool found = false;
    for (const std::string& row : rows) found = found || (row.find(place) != std::string::npos && row.find(alias) != std::string::npos);
    EXPECT_TRUE(found) << place << " / " << alias << " missing in\n" << daemon.out;
  }
  // Not a terminal: no colour unless asked.
  EXPECT_EQ(daemon.out.find('\033'), std::string::npos);
  auto colored = kas({"lookup", "name_show", "--color=always"});
  EXPECT_NE(colored.out.find("\033[32m"), std::string::npos);
  EXPECT_EQ(kas({"lookup", "name_show", "--color=sometimes"}).exit_code, 2);
}

TEST_F(QueryCommands, LookupJsonFollowsTheSchema) {
  auto r = kas({"lookup", "name_show", "*@modules_hello*", "only_here", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(valid_json("kas-lookup-1", r.out, dir_));
  EXPECT_NE(r.out.find("\"pattern\":\"*@modules_hello*\""), std::string::npos);
  // A definitions-only change in shape would fail the schema; a wrong one
  // fails here: the schema itself rejects what it must.
  EXPECT_FALSE(run_with_stdin({"python3", schema_validator(), "kas-lookup-1"},
                              "{\"schema\":\"kas-lookup/1\",\"results\":[{\"pattern\":\"x\",\"total\":1,"
                              "\"definitions\":[{\"binary\":\"vmlinux\"}]}]}",
                              dir_)
                   .exit_code == 0);
}

TEST_F(QueryCommands, LookupOfNothingFailsWithAMessage) {
  auto r = kas({"lookup", "no_such_symbol_anywhere"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("kas lookup: no symbol matches 'no_such_symbol_anywhere'"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  auto none = test::run_process({test::kas_binary(), "lookup", "name_show"}, dir_.path());
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no kernel to ask about"), std::string::npos) << none.err;
  auto two = kas({"lookup", "name_show", "--kernel", "6.1.0-0"});
  EXPECT_EQ(two.exit_code, 1);
  EXPECT_NE(two.err.find("give one of"), std::string::npos) << two.err;
}

TEST_F(QueryCommands, ResolveListsEveryCandidateAndFailsOnErrors) {
  auto r = kas({"resolve", "name_show+0x1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(valid_json("kas-resolve-1", r.out, dir_));
  EXPECT_NE(r.out.find("\"ambiguous\":true"), std::string::npos);
  auto text = kas({"resolve", "name_show+0x1"});
  EXPECT_NE(text.out.find("ambiguous, 4 candidates"), std::string::npos) << text.out;
  auto bad = kas({"resolve", "name_show+0x1/0x9 [other]", "nope+0x1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("modules/other/other.c:"), std::string::npos) << bad.out;
  EXPECT_NE(bad.err.find("kas resolve: nope+0x1: no symbol named 'nope'"), std::string::npos) << bad.err;
  auto usage = kas({"resolve", "name_show+zz"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("bad offset"), std::string::npos) << usage.err;
}

TEST_F(QueryCommands, DecodeAnnotatesEveryFrameOfARecordedOops) {
  std::ifstream in(test::fixtures_dir() + "/oops/fixture-oops.txt.in");
  std::stringstream template_text;
  template_text << in.rdbuf();
  const std::string root = k_->objtree;  // intree: sources and objects together

  // Expand {{NAME BINARY FILE OFF}} into an oops frame with the real size,
  // and compute what each frame must decode to.
  struct Expected {
    std::string frame;
    std::vector<Frame> frames;  // eu-addr2line's
    size_t candidates = 1;      // 0: an error
  };
  std::vector<Expected> expected;
  std::string oops;
  std::regex placeholder(R"(\{\{(\S+) (\S+) (\S+) (\S+)\}\})");
  for (const std::string& line : test::split_lines(template_text.str())) {
    std::smatch m;
    if (!std::regex_search(line, m, placeholder)) {
      oops += line + "\n";
      continue;
    }
    const std::string name = m[1], binary = m[2], file = m[3];
    const uint64_t offset = std::stoull(m[4], nullptr, 16);
    Expected e;
    uint64_t size = 0x40;
    if (file == "-") {
      e.candidates = 0;
    } else {
      const bool module = binary != "vmlinux";
      const std::string path = module ? k_->module_object(binary) : k_->vmlinux();
      const std::string section = module ? section_of(path, name) : "";
      // The frame carries the kernel's size; a definition matches it by
      // that or by its ELF size.
      std::vector<Sized> copies = kallsyms_sized(module ? k_->module(binary) : path, name, module);
      std::vector<Sized> elf = nm_sized(path, name);
      ASSERT_EQ(copies.size(), elf.size()) << line;
      // Call-trace frames are return addresses: their line is the call's,
      // one byte back (the RIP frame is the faulting instruction itself).
      const bool return_address = line.find("RIP:") == std::string::npos;
      const uint64_t back = return_address && offset > 0 ? 1 : 0;
      for (const Sized& s : copies) {
        auto frames = eu_addr2line(path, s.value + offset - back, section, root);
        if (!frames.empty() && frames.back().file == file) {
          size = s.size;
          e.frames = frames;
        }
      }
      size_t same_size = 0;
      for (size_t c = 0; c < copies.size(); ++c) {
        const uint64_t elf_size = std::find_if(elf.begin(), elf.end(), [&](const Sized& x) {
                                    return x.value == copies[c].value;
                                  })->size;
        same_size += copies[c].size == size || elf_size == size ? 1 : 0;
      }
      e.candidates = same_size;
      EXPECT_FALSE(e.frames.empty()) << line;
    }
    char frame[160];
    std::snprintf(frame, sizeof frame, "%s+0x%llx/0x%llx%s", name.c_str(), static_cast<unsigned long long>(offset),
                  static_cast<unsigned long long>(size), binary == "vmlinux" ? "" : (" [" + binary + "]").c_str());
    e.frame = frame;
    oops += m.prefix().str() + frame + m.suffix().str() + "\n";
    expected.push_back(e);
  }

  // One frame names no symbol and one stays ambiguous: both are counted,
  // and the exit status says so; the log still comes back whole.
  // Padded functions of one size are as ambiguous to the kernel's "/SIZE" as
  // to kas: how many, the oracle above says.
  size_t want_ambiguous = 0;
  for (const Expected& e : expected) want_ambiguous += e.candidates > 1 ? 1 : 0;
  auto decoded = run_with_stdin({test::kas_binary(), "decode", "--tree", k_->objtree}, oops, dir_);
  EXPECT_EQ(decoded.exit_code, 1) << decoded.err;
  EXPECT_NE(decoded.err.find("kas decode: " + std::to_string(1 + want_ambiguous) + " of " +
                             std::to_string(expected.size()) + " frames not decoded (1 not found, " +
                             std::to_string(want_ambiguous) + " ambiguous)"),
            std::string::npos)
      << decoded.err;
  auto local = run_with_stdin({test::kas_binary(), "decode", "--tree", k_->objtree, "--no-daemon"}, oops, dir_);
  EXPECT_EQ(decoded.out, local.out);

  // Every input line comes back, in order; frames annotated, then their
  // inlined calls or candidates on lines of their own.
  auto out = test::split_lines(decoded.out);
  auto input = test::split_lines(oops);
  size_t o = 0;
  size_t frame_index = 0;
  size_t ambiguous_seen = 0;
  for (const std::string& line : input) {
    ASSERT_LT(o, out.size());
    ASSERT_TRUE(out[o].starts_with(line)) << out[o] << "\nexpected to start with\n" << line;
    bool is_frame = frame_index < expected.size() && line.find(expected[frame_index].frame) != std::string::npos;
    if (!is_frame) {
      EXPECT_EQ(out[o], line);
      ++o;
      continue;
    }
    const Expected& e = expected[frame_index++];
    std::string annotation = out[o].substr(line.size());
    ++o;
    if (e.candidates == 0) {
      EXPECT_NE(annotation.find("(kas: no symbol named"), std::string::npos) << annotation;
      continue;
    }
    if (e.candidates > 1) {
      ++ambiguous_seen;
      EXPECT_NE(annotation.find("(ambiguous: " + std::to_string(e.candidates) + " candidates)"), std::string::npos)
          << annotation;
      for (size_t c = 0; c < e.candidates; ++c, ++o) ASSERT_LT(o, out.size());
      continue;
    }
    const Frame& outer = e.frames.back();
    EXPECT_EQ(annotation.substr(1, annotation.find(' ', 1) - 1), outer.file + ":" + std::to_string(outer.line))
        << e.frame << ": " << annotation;
    for (size_t i = 0; i + 1 < e.frames.size(); ++i, ++o) {
      ASSERT_LT(o, out.size());
      std::string want = "inlined: " + e.frames[i].function + " at " + e.frames[i].file + ":" +
                         std::to_string(e.frames[i].line);
      EXPECT_NE(out[o].find(want), std::string::npos) << out[o] << " vs " << want;
    }
  }
  EXPECT_EQ(o, out.size());
  EXPECT_EQ(frame_index, expected.size());
  EXPECT_EQ(ambiguous_seen, want_ambiguous);
  EXPECT_NE(decoded.out.find("load_elf_binary+0x4/0x"), std::string::npos);
  for (const Expected& e : expected) {
    if (e.frame.starts_with("load_elf_binary")) {
      EXPECT_EQ(e.candidates, 2u) << "its two copies have one size";
    }
  }

  auto json = run_with_stdin({test::kas_binary(), "decode", "--tree", k_->objtree, "--json"}, oops, dir_);
  EXPECT_EQ(json.exit_code, 1) << json.err;
  EXPECT_TRUE(valid_json("kas-resolve-1", json.out, dir_));
}

TEST_F(QueryCommands, LiveSaysWhatItFoundOrWhatIsMissing) {
  auto r = test::run_process({test::kas_binary(), "resolve", "--live", "--debug-root", dir_.path(), "name_show+0x1"});
  // No debug files under an empty --debug-root and no DEBUGINFOD_URLS in
  // tests: the message names the kernel, the file and the package, then
  // /proc/kallsyms answers what it can, or says why it cannot.
  EXPECT_NE(r.err.find("the running kernel"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("-dbg"), std::string::npos) << r.err;
  if (r.exit_code == 0) {
    EXPECT_NE(r.err.find("answering from /proc/kallsyms alone"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("name_show"), std::string::npos) << r.out;
  } else {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(r.err.find("kptr_restrict") != std::string::npos || r.err.find("/proc/kallsyms") != std::string::npos)
        << r.err;
  }
}

TEST_F(QueryCommands, TheDaemonAnswersFromARebuiltModuleNotTheOldOne) {
  // A copy of the tree, so its files can change under the daemon.
  std::filesystem::copy(k_->objtree, dir_.file("tree"), std::filesystem::copy_options::recursive);
  const std::string tree = dir_.file("tree");
  auto before = test::run_process({test::kas_binary(), "lookup", "name_show", "--tree", tree, "--json"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_NE(before.out.find("\"binary\":\"other\""), std::string::npos);
  // "Rebuild" other.o into something without name_show (hello_twin's
  // content), as make would: a new file renamed over the old one.
  const std::string other = tree + "/modules/other/other.o";
  std::filesystem::copy_file(tree + "/modules/hello/hello_twin.o", other + ".new");
  std::filesystem::rename(other + ".new", other);
  auto after = test::run_process({test::kas_binary(), "lookup", "name_show", "--tree", tree, "--json"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out.find("\"binary\":\"other\""), std::string::npos) << after.out;
  // The census changed with it: name_show has one definition fewer.
  EXPECT_NE(after.out.find("\"count\":3"), std::string::npos) << after.out;
}

// The "file" and "address" of each definition in a lookup's JSON, in order.
std::vector<std::pair<std::string, std::string>> files_and_addresses(const std::string& json) {
  std::vector<std::pair<std::string, std::string>> out;
  std::regex def(R"re("address":"(0x[0-9a-f]+)".*?"file":"([^"]*)")re");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), def); it != std::sregex_iterator(); ++it) {
    out.emplace_back((*it)[2], (*it)[1]);
  }
  return out;
}

TEST_F(QueryCommands, PerfsFuncAtSrcNamesTheDefinitionPerfFinds) {
  // perf probe -L (the same vmlinux) names the file of the function it
  // chose: kas must pick the same one for the same spelling.
  for (const std::string spec : {"name_show@drivers/pps/sysfs.c", "name_show@sysfs.c", "name_show@base/core.c"}) {
    auto perf = test::run_process({"perf", "probe", "-k", k_->vmlinux(), "-L", spec});
    ASSERT_EQ(perf.exit_code, 0) << spec << perf.err;
    std::smatch m;
    const std::string header = test::split_lines(perf.out).at(0);
    ASSERT_TRUE(std::regex_match(header, m, std::regex(R"(<name_show@(.*):0>)"))) << header;
    const std::string perf_file = relative(m[1], k_->objtree);
    auto r = kas({"lookup", spec, "--json"});
    ASSERT_EQ(r.exit_code, 0) << spec << r.err;
    auto defs = files_and_addresses(r.out);
    ASSERT_EQ(defs.size(), 1u) << spec << r.out;
    EXPECT_EQ(defs[0].first, perf_file) << spec;
    auto resolved = kas({"resolve", spec + "+0x1", "--json"});
    EXPECT_EQ(resolved.exit_code, 0) << resolved.err;
    EXPECT_NE(resolved.out.find("\"ambiguous\":false"), std::string::npos) << resolved.out;
    EXPECT_NE(resolved.out.find("\"file\":\"" + perf_file + "\""), std::string::npos) << resolved.out;
  }
  // An absolute path of the tree matches from the end too (perf's
  // strtailcmp), though DWARF names the file relative to its unit.
  auto absolute = kas({"lookup", "name_show@" + k_->objtree + "/drivers/base/core.c", "--json"});
  ASSERT_EQ(absolute.exit_code, 0) << absolute.err;
  auto defs = files_and_addresses(absolute.out);
  ASSERT_EQ(defs.size(), 1u) << absolute.out;
  EXPECT_EQ(defs[0].first, "drivers/base/core.c");
  auto none = kas({"lookup", "name_show@nowhere.c"});
  EXPECT_EQ(none.exit_code, 1);
  auto probe = kas({"probe", "name_show@nowhere.c"});
  EXPECT_EQ(probe.exit_code, 1);
  EXPECT_NE(probe.err.find("ending with 'nowhere.c'"), std::string::npos) << probe.err;
}

TEST_F(QueryCommands, LivepatchSymposCountsInKallsymsOrder) {
  // vmlinux: kallsyms order is address order (nm -n); a module's is its
  // .symtab order (readelf -s).
  std::vector<std::string> vmlinux_order;
  for (const std::string& l : test::split_lines(test::run_process(test::nm_command({"-n"}, k_->vmlinux())).out)) {
    if (l.ends_with(" name_show")) vmlinux_order.push_back("0x" + l.substr(0, l.find(' ')));
  }
  ASSERT_EQ(vmlinux_order.size(), 2u);
  for (size_t pos = 1; pos <= vmlinux_order.size(); ++pos) {
    const std::string hex = vmlinux_order[pos - 1];
    auto r = kas({"lookup", "name_show," + std::to_string(pos), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto defs = files_and_addresses(r.out);
    ASSERT_EQ(defs.size(), 1u) << r.out;
    EXPECT_EQ(std::stoull(defs[0].second, nullptr, 16), std::stoull(hex, nullptr, 16)) << "sympos " << pos;
    EXPECT_NE(r.out.find("\"sympos\":" + std::to_string(pos)), std::string::npos) << r.out;
  }
  // Every definition lists its sympos, and the table shows it.
  auto table = kas({"lookup", "name_show"});
  EXPECT_NE(table.out.find(" POS "), std::string::npos) << table.out;
  // 0 asks for a unique name: vmlinux has two.
  auto zero = kas({"resolve", "name_show,0"});
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_NE(zero.err.find("needs a unique name"), std::string::npos) << zero.err;
  auto unique = kas({"lookup", "only_here,0", "--json"});
  ASSERT_EQ(unique.exit_code, 0) << unique.err;
  EXPECT_NE(unique.out.find("\"binary\":\"vmlinux\""), std::string::npos) << unique.out;
  EXPECT_EQ(unique.out.find("\"binary\":\"hello\""), std::string::npos) << unique.out;
  auto past = kas({"probe", "name_show,3"});
  EXPECT_EQ(past.exit_code, 1);
  EXPECT_NE(past.err.find("symbol position 3"), std::string::npos) << past.err;
  // A position past 32 bits matches nothing (and the daemon answers on).
  EXPECT_EQ(kas({"lookup", "name_show,99999999999999999999"}).exit_code, 1);
  EXPECT_EQ(kas({"lookup", "name_show,1"}).exit_code, 0);
  // A module's own count: MODULE:FUNC,SYMPOS.
  auto module = kas({"lookup", "hello:name_show,1", "--json"});
  ASSERT_EQ(module.exit_code, 0) << module.err;
  EXPECT_NE(module.out.find("\"binary\":\"hello\""), std::string::npos) << module.out;
  EXPECT_NE(module.out.find("\"sympos\":1"), std::string::npos) << module.out;
}

TEST_F(QueryCommands, WithVmlinuxAloneNothingIsCalledUnique) {
  // only_here is unique in vmlinux and defined by module hello too.
  const std::vector<std::string> alone = {"--vmlinux", k_->vmlinux(), "--no-daemon"};
  auto with = [&](std::vector<std::string> args, const std::vector<std::string>& target) {
    args.insert(args.begin(), test::kas_binary());
    args.insert(args.end(), target.begin(), target.end());
    return test::run_process(args);
  };
  auto probe = with({"probe", "only_here", "--json"}, alone);
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_NE(probe.out.find("\"how\":\"unique-in-vmlinux\""), std::string::npos) << probe.out;
  EXPECT_EQ(probe.out.find("\"how\":\"unique\""), std::string::npos) << probe.out;
  EXPECT_TRUE(valid_json("kas-probe-1", probe.out, dir_));
  EXPECT_NE(probe.err.find("'only_here' is unique in vmlinux, but kas read no modules"), std::string::npos)
      << probe.err;
  auto lookup = with({"lookup", "only_here"}, alone);
  EXPECT_EQ(lookup.exit_code, 0) << lookup.err;
  EXPECT_NE(lookup.err.find("read vmlinux only"), std::string::npos) << lookup.err;
  EXPECT_NE(lookup.out.find("unique in vmlinux (modules not read)"), std::string::npos) << lookup.out;
  // With the modules read, the plain name is the two functions it is.
  auto whole = kas({"probe", "only_here"});
  EXPECT_EQ(whole.exit_code, 1) << whole.out;
  EXPECT_NE(whole.err.find("'only_here' names 2 functions"), std::string::npos) << whole.err;
}

TEST_F(QueryCommands, EveryCommandHasHelpWithExamples) {
  for (const char* command : {"lookup", "resolve", "decode"}) {
    auto r = test::run_process({test::kas_binary(), command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.out.find("usage: kas "), std::string::npos) << command;
    EXPECT_NE(r.out.find("example"), std::string::npos) << command;
    EXPECT_NE(r.out.find("--json"), std::string::npos) << command;
  }
}

}  // namespace
}  // namespace kas
