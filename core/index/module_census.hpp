// The part of a census one module's aliases depend on: the counts of the
// names it defines, from everyone else (or everyone, see self_counted), and
// how many other modules compile each of its source files.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/census/census.hpp"
#include "core/census/lto.hpp"
#include "core/dwarf/symbol_locations.hpp"

namespace kas {

// How many modules hold a source file (a unit key): a table shared between
// requests (the daemon keeps one per kernel) less the files of the module a
// request replaces, so that no request copies the whole table.
class UnitHolders {
 public:
  UnitHolders() : all_(std::make_shared<const Census>()) {}
  explicit UnitHolders(std::shared_ptr<const Census> all, Census less = {})
      : all_(std::move(all)), less_(std::move(less)) {}
  [[nodiscard]] uint32_t count(std::string_view unit) const {
    uint32_t n = all_->count(unit);
    uint32_t minus = less_.count(unit);
    return n > minus ? n - minus : 0;
  }

 private:
  std::shared_ptr<const Census> all_;
  Census less_;
};

struct RestrictedCensus {
  // The LTO suffixes the keys of `counts` are without (never Lto::kDetect).
  Lto lto = Lto::kNone;
  Census counts;
  // Source files of the other modules, with the number of modules holding
  // each: a file compiled into several modules defines the same names at the
  // same lines in each, so their aliases need the module.
  UnitHolders other_units;
  // The sources already counted this module (a listed module of its name,
  // or a census file holding every name it defines).
  bool included = false;
  // `counts` and `other_units` include the module itself (a census file
  // that counted it); module lists leave it out instead.
  bool self_counted = false;
  size_t modules = 0;
  // The requesting file's duplicated symbols, located when its kernel was
  // indexed (the daemon's); null: locate them from its DWARF.
  std::shared_ptr<const PlacedSymbols> located;
};

}  // namespace kas
