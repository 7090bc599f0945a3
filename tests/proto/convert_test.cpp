// proto/convert*: every core type that crosses the socket survives
// core -> wire -> bytes -> wire -> core unchanged, and wire input the core
// types cannot represent is refused with a reason.
//
// Each value below gives every field a value of its own (no defaults, no two
// fields alike), so a field dropped, defaulted or swapped by a converter
// shows up as a difference.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "proto/convert.hpp"
#include "proto/convert_query.hpp"

namespace kas {
namespace {

// Every field of each core type, by structured binding: a field added to one
// of these structs stops this file compiling until the round trips cover it.
auto fields(const AliasOptions& a) {
  const auto& [separator, data, lto] = a;
  return std::tuple(separator, data, lto);
}

auto fields(const KernelFiles& f) {
  const auto& [vmlinux, modules_orders, module_dirs, census_path] = f;
  return std::tuple(vmlinux, modules_orders, module_dirs, census_path);
}

auto fields(const VmlinuxRequest& r) {
  const auto& [census, elf_path, srctree, alias, jobs] = r;
  return std::tuple(fields(census), elf_path, srctree, fields(alias), jobs);
}

auto fields(const VmlinuxResult& r) {
  const auto& [text, stats, unlocated_names, too_long_names] = r;
  const auto& [input_lines, census_names, modules, eligible, aliases, unlocated, from_line_table, disambiguated,
               shortened, lto] = stats;
  return std::tuple(text,
                    std::tuple(input_lines, census_names, modules, eligible, aliases, unlocated, from_line_table,
                               disambiguated, shortened, lto),
                    unlocated_names, too_long_names);
}

auto fields(const ModuleRequest& r) {
  // output_dir is never sent: kasd opens the output's directory itself.
  const auto& [input, output, in_place, census, kernel, system_map, srctree, alias, jobs, dry_run, umask,
               output_dir] = r;
  return std::tuple(input, output, in_place, fields(census), kernel, system_map, srctree, fields(alias), jobs,
                    dry_run, umask);
}

auto fields(const ModuleAlias& a) {
  const auto& [symbol, alias, section, value, nm_type] = a;
  return std::tuple(symbol, alias, section, value, nm_type);
}

auto fields(const ModuleResult& r) {
  const auto& [output_path, aliases, newly_duplicated, unlocated, too_long, symbols, eligible, census_modules,
               census_included_module, rewritten] = r;
  std::vector<decltype(fields(ModuleAlias{}))> alias_fields;
  for (const ModuleAlias& a : aliases) alias_fields.push_back(fields(a));
  return std::tuple(output_path, alias_fields, newly_duplicated, unlocated, too_long, symbols, eligible,
                    census_modules, census_included_module, rewritten);
}

auto fields(const QueryTarget& t) {
  const auto& [kernel, srctree, alias] = t;
  return std::tuple(fields(kernel), srctree, fields(alias));
}

auto fields(const SymbolDefinition& d) {
  const auto& [binary, path, name, nm_type, section, address, relocatable, size, count, alias, file, line, unit,
               sympos, note] = d;
  return std::tuple(binary, path, name, nm_type, section, address, relocatable, size, count, alias, file, line, unit,
                    sympos, note);
}

auto fields(const LookupAnswer& a) {
  const auto& [definitions, total] = a;
  std::vector<decltype(fields(SymbolDefinition{}))> each;
  for (const SymbolDefinition& d : definitions) each.push_back(fields(d));
  return std::tuple(each, total);
}

auto fields(const FrameQuery& q) {
  const auto& [text, by_address, address, symbol, offset, has_size, size, module, module_given, build_id, source,
               has_source_line, source_line, has_sympos, sympos, return_address] = q;
  return std::tuple(text, by_address, address, symbol, offset, has_size, size, module, module_given, return_address,
                    build_id, source, has_source_line, source_line, has_sympos, sympos);
}

auto fields(const Resolution& r) {
  const auto& [symbol, offset, frames] = r;
  std::vector<std::tuple<std::string, std::string, uint32_t>> each;
  for (const SourceFrameInfo& f : frames) {
    const auto& [function, file, line] = f;
    each.emplace_back(function, file, line);
  }
  return std::tuple(fields(symbol), offset, each);
}

auto fields(const ResolveAnswer& a) {
  const auto& [query, candidates, error] = a;
  std::vector<decltype(fields(Resolution{}))> each;
  for (const Resolution& r : candidates) each.push_back(fields(r));
  return std::tuple(fields(query), each, error);
}

auto fields(const ProbeAnswer& a) {
  const auto& [query, symbol, location, how, anchor, anchor_offset, anchor_after, candidates, error] = a;
  std::vector<decltype(fields(SymbolDefinition{}))> each;
  for (const SymbolDefinition& c : candidates) each.push_back(fields(c));
  return std::tuple(fields(query), fields(symbol), location, how, anchor, anchor_offset, anchor_after, each, error);
}

// What the socket does to a message: serialize, then parse on the other side.
template <typename Message>
Message through_bytes(const Message& message) {
  Message out;
  EXPECT_TRUE(out.ParseFromString(message.SerializeAsString()));
  return out;
}

AliasOptions alias_options() { return {'~', true, Lto::kFull}; }

KernelFiles kernel_files() {
  return {"/b/System.map", {"/b/modules.order", "/x/modules.order"}, {"/lib/modules/6.1/kernel"}, "/b/symbfreq"};
}

SymbolDefinition definition(const std::string& name) {
  return {"uio", "/b/drivers/uio/uio.ko", name, 't', ".text.unlikely", 0x1c4, true, 0x58, 3,
          name + "%drivers_uio_uio_c_275", "drivers/uio/uio.c", 275, "drivers/uio/uio.c", 2, "by name (no ranges)"};
}

FrameQuery frame_query() {
  return {"name_show+0x1c/0x58 [uio 0123abcd]", true, 0xffffffffc052102cull, "name_show", 0x1c, true, 0x58, "uio", true,
          "0123abcd", "drivers/uio/uio.c", true, 3, true, 2, true};
}

TEST(Convert, AliasOptionsRoundTrip) {
  wire::AliasOptions w;
  wire::to_wire(alias_options(), w);
  auto back = wire::from_wire(through_bytes(w));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(fields(*back), fields(alias_options()));
}

TEST(Convert, EveryLtoKindRoundTrips) {
  for (Lto lto : {Lto::kDetect, Lto::kNone, Lto::kThin, Lto::kFull}) {
    AliasOptions in;
    in.lto = lto;
    wire::AliasOptions w;
    wire::to_wire(in, w);
    auto back = wire::from_wire(through_bytes(w));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->lto, lto) << lto_spelling(lto);
  }
  // An unset field (an older client) asks for detection.
  auto unset = wire::from_wire(wire::AliasOptions());
  ASSERT_TRUE(unset);
  EXPECT_EQ(unset->lto, Lto::kDetect);
}

TEST(Convert, AnEmptySeparatorMeansTheDefault) {
  auto back = wire::from_wire(wire::AliasOptions());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->separator, AliasOptions().separator);
}

// A separator is one char in the core: AliasOptions and every request
// carrying them refuse a longer one.
TEST(Convert, ASeparatorOfSeveralCharactersIsRefusedEverywhere) {
  wire::AliasOptions alias;
  alias.set_separator("@@");
  wire::VmlinuxRequest vmlinux;
  vmlinux.set_elf_path("/b/vmlinux");
  vmlinux.mutable_alias()->set_separator("::");
  wire::ModuleRequest module;
  module.set_input("/b/uio.o");
  module.mutable_alias()->set_separator("ab");
  wire::QueryTarget target;
  target.set_vmlinux("/b/vmlinux");
  target.mutable_alias()->set_separator("--");
  auto error_of = [](const auto& result) -> std::optional<Error> {
    if (result) return std::nullopt;
    return result.error();
  };
  const std::pair<const char*, std::optional<Error>> results[] = {
      {"alias options", error_of(wire::from_wire(alias))},
      {"vmlinux", error_of(wire::from_wire(vmlinux, 1))},
      {"module", error_of(wire::from_wire(module, 1))},
      {"query target", error_of(wire::from_wire(target))},
  };
  for (const auto& [what, error] : results) {
    ASSERT_TRUE(error) << what << " was accepted";
    EXPECT_EQ(error->code, ErrorCode::kInvalidArgument) << what;
    EXPECT_NE(error->message.find("separator"), std::string::npos) << what << ": " << error->message;
  }
}

// The daemon reads what any client sends: a separator the tracers would
// misread ('#' starts a kprobe_events comment) is refused with the reason.
TEST(Convert, ASeparatorTheTracersWouldMisreadIsRefusedWithTheReason) {
  for (const char* bad : {"#", "%", "'", "\"", "`", "\\", " ", "\t"}) {
    wire::AliasOptions alias;
    alias.set_separator(bad);
    auto r = wire::from_wire(alias);
    ASSERT_FALSE(r) << "'" << bad << "' was accepted";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(r.error().message.starts_with(std::string("invalid separator '") + bad + "': ")) << r.error().message;
  }
  wire::AliasOptions fine;
  fine.set_separator("~");
  EXPECT_TRUE(wire::from_wire(fine));
}

TEST(Convert, KernelFilesRoundTripAsCensusSources) {
  wire::CensusSources w;
  wire::to_wire(kernel_files(), w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(kernel_files()));
}

TEST(Convert, VmlinuxRequestRoundTripTakesJobsFromTheDaemon) {
  VmlinuxRequest in{kernel_files(), "/b/vmlinux", "/src/linux", alias_options(), 3};
  wire::VmlinuxRequest w;
  wire::to_wire(in, w);
  auto back = wire::from_wire(through_bytes(w), 11);
  ASSERT_TRUE(back) << back.error().message;
  VmlinuxRequest expected = in;
  expected.jobs = 11;  // the client's thread count is not the daemon's
  EXPECT_EQ(fields(*back), fields(expected));
}

TEST(Convert, VmlinuxResultRoundTrip) {
  VmlinuxResult in;
  const char text[] = "ffffffff8c4f76d0 t name_show\n\0bytes, not UTF-8: \xff\n";  // wire type `bytes`
  in.text = std::string(text, sizeof text - 1);
  in.stats = {101, 102, 103, 104, 105, 106, 107, 108, 109,
              "thin (CONFIG_LTO_CLANG_THIN=y in ./include/config/auto.conf)"};
  in.unlocated_names = {"__entry_text_start", "ret_from_fork"};
  in.too_long_names = {std::string(500, 'x')};
  wire::VmlinuxReply w;
  wire::to_wire(in, w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(in));
}

TEST(Convert, ModuleRequestRoundTrip) {
  ModuleRequest in;
  in.input = "/b/drivers/uio/uio.o";
  in.output = "/b/drivers/uio/uio.o.kas";
  in.in_place = true;
  in.census = kernel_files();
  in.kernel = "6.1.0-18-amd64";
  in.system_map = "/boot/System.map-6.1.0-18-amd64";
  in.srctree = "/src/linux";
  in.alias = alias_options();
  in.jobs = 3;
  in.dry_run = false;  // never sent: dry runs are in-process only (kas lookup)
  in.umask = 027;
  wire::ModuleRequest w;
  wire::to_wire(in, w);
  auto back = wire::from_wire(through_bytes(w), 5);
  ASSERT_TRUE(back) << back.error().message;
  ModuleRequest expected = in;
  expected.jobs = 5;
  EXPECT_EQ(fields(*back), fields(expected));
}

TEST(Convert, ModuleResultRoundTrip) {
  ModuleResult in;
  in.output_path = "/b/uio.o.kas";
  in.aliases = {{"name_show", "name_show%drivers_uio_uio_c_275", ".text", 0x1c4, 't'},
                {"uio_major", "uio_major%drivers_uio_uio_c_30", ".bss", 0x8, 'b'}};
  in.newly_duplicated = {"uio_open"};
  in.unlocated = {"uio_asm_stub"};
  in.too_long = {std::string(500, 'y')};
  in.symbols = 201;
  in.eligible = 202;
  in.census_modules = 203;
  in.census_included_module = true;
  in.rewritten = true;
  wire::ModuleReply w;
  wire::to_wire(in, w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(in));
}

TEST(Convert, AMissingNmTypeReadsAsUnknown) {
  wire::ModuleReply w;
  w.add_aliases()->set_symbol("f");
  kas::ModuleResult back = wire::from_wire(w);
  ASSERT_EQ(back.aliases.size(), 1u);
  EXPECT_EQ(back.aliases[0].nm_type, '?');  // ModuleAlias's own "unknown"
}

TEST(Convert, ErrorsKeepCodeAndMessage) {
  for (ErrorCode code : {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kIo, ErrorCode::kBadElf,
                         ErrorCode::kNoDebugInfo, ErrorCode::kBadDwarf, ErrorCode::kBadInput, ErrorCode::kInternal,
                         ErrorCode::kExhausted}) {
    Error in{code, std::string("/b/uio.o: ") + error_code_name(code)};
    wire::Error w;
    wire::to_wire(in, w);
    EXPECT_EQ(w.code(), static_cast<uint32_t>(code));  // kas.proto: the same values as kas::ErrorCode
    Error back = wire::from_wire(through_bytes(w));
    EXPECT_EQ(back.code, in.code);
    EXPECT_EQ(back.message, in.message);
  }
}

TEST(Convert, AnErrorCodeThisBuildDoesNotKnowIsInternal) {
  for (uint32_t code : {0u, 10u, 0xffffffffu}) {
    wire::Error w;
    w.set_code(code);
    w.set_message("from a newer kasd");
    Error back = wire::from_wire(w);
    EXPECT_EQ(back.code, ErrorCode::kInternal) << code;
    EXPECT_EQ(back.message, "from a newer kasd");
  }
}

TEST(Convert, QueryTargetRoundTrip) {
  // No census file: a question indexes the kernel's own files.
  QueryTarget in{{"/b/vmlinux", {"/b/modules.order"}, {"/b/extra", "/b/updates"}, ""}, "/src/linux", alias_options()};
  wire::QueryTarget w;
  wire::to_wire(in, w);
  auto back = wire::from_wire(through_bytes(w));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(fields(*back), fields(in));
}

TEST(Convert, AQueryTargetWithoutVmlinuxIsRefused) {
  wire::QueryTarget w;
  w.add_modules_orders("/b/modules.order");
  auto back = wire::from_wire(w);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(back.error().message.find("vmlinux"), std::string::npos) << back.error().message;
}

TEST(Convert, LookupAnswerRoundTrip) {
  LookupAnswer in{{definition("name_show"), definition("uio_read")}, 7};
  wire::LookupMatches w;
  wire::to_wire(in, w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(in));
}

TEST(Convert, FrameQueryRoundTrip) {
  wire::FrameQuery w;
  wire::to_wire(frame_query(), w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(frame_query()));
}

TEST(Convert, ResolveAnswerRoundTrip) {
  ResolveAnswer in;
  in.query = frame_query();
  in.candidates.push_back({definition("name_show"), 0x1c, {{"inlined_helper", "include/linux/uio.h", 42},
                                                            {"name_show", "drivers/uio/uio.c", 280}}});
  in.candidates.push_back({definition("name_show_other"), 0x20, {}});
  in.error = "ambiguous: 2 definitions";
  wire::ResolveAnswer w;
  wire::to_wire(in, w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(in));
}

TEST(Convert, ProbeAnswerRoundTrip) {
  ProbeAnswer in;
  in.query = frame_query();
  in.symbol = definition("name_show");
  in.location = "uio:uio_read+0x1c4";
  in.how = "anchor";
  in.anchor = "uio_read";
  in.anchor_offset = 0x1c4;
  in.anchor_after = true;
  in.candidates = {definition("name_show"), definition("name_show_other")};
  in.error = "two functions";
  wire::ProbeAnswer w;
  wire::to_wire(in, w);
  EXPECT_EQ(fields(wire::from_wire(through_bytes(w))), fields(in));
}

// kasd writes a module's output with the mode the client's umask gives
// (issue 27 J): the request carries it, and one without it is refused
// rather than given kasd's own.
TEST(Convert, AModuleRequestCarriesTheClientsUmask) {
  for (mode_t umask : {mode_t{077}, mode_t{027}, mode_t{0}}) {
    ModuleRequest in;
    in.input = "/b/uio.o";
    in.umask = umask;
    wire::ModuleRequest w;
    wire::to_wire(in, w);
    auto back = wire::from_wire(w, 1);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->umask, umask);
  }
  wire::ModuleRequest without;
  without.set_input("/b/uio.o");
  auto refused = wire::from_wire(without, 1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("umask"), std::string::npos) << refused.error().message;
  without.set_umask(01777);
  EXPECT_FALSE(wire::from_wire(without, 1));
}

}  // namespace
}  // namespace kas
