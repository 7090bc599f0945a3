// Hand-written matchers instead of std::regex: this runs for every duplicated
// name of a kernel, and each pattern is a literal prefix plus a digit run.
#include "core/alias/exclusions.hpp"

#include <array>

#include "core/util/text.hpp"

namespace kas {

namespace {

// "<stem>.<digits>"
bool stem_dot_number(std::string_view name, std::string_view stem) {
  return name.size() > stem.size() + 1 && name.starts_with(stem) && name[stem.size()] == '.' &&
         text::all_digits(name.substr(stem.size() + 1));
}

// "__" + any run of 'w'/'m' + "key.<digits>": lockdep keys (__key, __wkey,
// __mkey, __wwkey...).
bool lockdep_key(std::string_view name) {
  if (!name.starts_with("__")) return false;
  size_t i = 2;
  while (i < name.size() && (name[i] == 'w' || name[i] == 'm')) ++i;
  return stem_dot_number(name.substr(i), "key");
}

// ".L<digits>.<digits>" and ".LC<digits>": assembler-local labels.
bool local_label(std::string_view name) {
  if (name.starts_with(".LC")) return text::all_digits(name.substr(3));
  if (!name.starts_with(".L")) return false;
  std::string_view rest = name.substr(2);
  size_t dot = rest.find('.');
  return dot != std::string_view::npos && text::all_digits(rest.substr(0, dot)) && text::all_digits(rest.substr(dot + 1));
}

}  // namespace

bool is_excluded_name(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kNumberedStems = {
      "__compound_literal", "__already_done", "__msg",   "__func__",      "CSWTCH",       "_rs",
      "___tp_str",          "__flags",        "___done", "__print_once", "___once_key", "symbols"};
  for (std::string_view stem : kNumberedStems) {
    if (stem_dot_number(name, stem)) return true;
  }
  if (lockdep_key(name)) return true;
  std::string_view unprefixed = name;
  while (unprefixed.starts_with("_")) unprefixed.remove_prefix(1);
  if (unprefixed.starts_with("TRACE_SYSTEM")) return true;
  for (std::string_view prefix : {"__pfx_", "__cfi_", "__UNIQUE_ID_"}) {
    if (name.starts_with(prefix)) return true;
  }
  if (local_label(name)) return true;
  if (name.starts_with("_note_") && text::all_digits(name.substr(6))) return true;
  return false;
}

}  // namespace kas
