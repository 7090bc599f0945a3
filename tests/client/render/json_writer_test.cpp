// client/render/json_writer: what it writes is read back by Python's json module
// (the oracle) as the structure and the strings written, and a byte that
// is no UTF-8 (a path is bytes) is written as it is.
#include "client/render/json_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

// Runs Python `program` on the JSON text `json` (its path is sys.argv[1]).
test::ProcessResult python_on(const std::string& program, const std::string& json) {
  test::TempDir dir;
  test::write_text(dir.file("doc.json"), json);
  return test::run_process({"python3", "-c", program, dir.file("doc.json")});
}

std::string hex_of(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(JsonWriter, TheStructureIsWhatPythonReadsAndWritesTheSame) {
  cli::JsonWriter json;
  json.begin_object().key("schema").string("kas-test/1").key("results").begin_array();
  json.begin_object()
      .key("name").string("name_show")
      .key("alias").string_or_null("")
      .key("line").number_or_null(0)
      .key("size").number(std::numeric_limits<uint64_t>::max())
      .key("sympos").number_or_null(3)
      .key("relocatable").boolean(true)
      .key("ambiguous").boolean(false)
      .key("frames").begin_array().end_array()
      .key("nested").begin_array().begin_object().end_object().null().number(0).end_array()
      .end_object();
  json.begin_object().key("unit").string("drivers/base/core.c").end_object();
  json.end_array().end_object();
  const std::string text = json.finish();
  ASSERT_EQ(text.back(), '\n');
  ASSERT_EQ(text.find('\n'), text.size() - 1);  // one line
  // json.dumps keeps the keys' order and, with these separators, writes
  // the compact form kas does.
  auto r = python_on(
      "import json, sys\n"
      "doc = json.load(open(sys.argv[1], encoding='utf-8'))\n"
      "sys.stdout.write(json.dumps(doc, separators=(',', ':'), ensure_ascii=False) + '\\n')\n",
      text);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, text);
}

TEST(JsonWriter, EveryAsciiByteAndUtf8ReadBackAsWritten) {
  std::string every;
  for (int c = 0; c < 0x80; ++c) every += static_cast<char>(c);
  every += "\xc3\xa9\xe2\x82\xac";  // é €
  cli::JsonWriter json;
  const std::string text = json.begin_object().key(every).string(every).end_object().finish();
  auto r = python_on(
      "import json, sys\n"
      "doc = json.load(open(sys.argv[1], encoding='utf-8'))\n"
      "(key, value), = doc.items()\n"
      "sys.stdout.write(key.encode('utf-8').hex() + ' ' + value.encode('utf-8').hex())\n",
      text);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, hex_of(every) + " " + hex_of(every));
}

TEST(JsonWriter, ControlCharactersAreEscapedTheOneWayKasAlwaysHas) {
  cli::JsonWriter json;
  const std::string text = json.string("a\"b\\c\nd\te\rf\bg\fh\x01i\x1f" "j\x7fk").finish();
  EXPECT_EQ(text, "\"a\\\"b\\\\c\\nd\\te\\rf\\u0008g\\u000ch\\u0001i\\u001fj\x7fk\"\n");
}

TEST(JsonWriter, BytesThatAreNoUtf8AreWrittenAsTheyAre) {
  const std::string path = "/tmp/build-\xff\xfe/hello.o";
  cli::JsonWriter json;
  const std::string text = json.begin_object().key("path").string(path).end_object().finish();
  EXPECT_EQ(text, "{\"path\":\"" + path + "\"}\n");
}

}  // namespace
}  // namespace kas
