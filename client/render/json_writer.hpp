// The one writer of kas's JSON (lookup, resolve, decode and probe --json;
// doc/json-output.md): compact, on one line, members in the order written.
//
// Strings are written as the bytes they hold: a path or a symbol name is
// bytes to the kernel, not necessarily UTF-8, and is shown as it is rather
// than refused or changed. Only '"', '\\' and the control characters are
// escaped (\n, \t, \r; the others as \u00XX). nlohmann/json (Debian's
// nlohmann-json3-dev) was weighed and not taken: it refuses a string that
// is not UTF-8 (or, if asked, writes U+FFFD for its bytes or drops them),
// and escapes \b and \f where kas wrote \u0008 and \u000c, so outputs would
// change for such names and paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kas::cli {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // Names the next member of the object being written: a value follows.
  JsonWriter& key(std::string_view name);

  JsonWriter& string(std::string_view s);
  // null for "" (a field without a value: no alias, no file).
  JsonWriter& string_or_null(std::string_view s);
  JsonWriter& number(uint64_t n);
  // null for 0 (a line or a position that is not known).
  JsonWriter& number_or_null(uint64_t n);
  JsonWriter& boolean(bool b);
  JsonWriter& null();

  // The document written, and a newline; the writer is empty after.
  [[nodiscard]] std::string finish();

 private:
  // The ',' between values of an array; none after a key.
  void before_value();
  void write_string(std::string_view s);

  std::string out_;
  std::vector<bool> written_;  // per open object or array: something is in it
  bool after_key_ = false;
};

}  // namespace kas::cli
