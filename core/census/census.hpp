// The census: how many times each symbol name is defined across vmlinux and
// every module. A name counted more than once is a duplicate and may get an
// alias; the count is all the alias rules need, so nothing else is kept.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/util/result.hpp"

namespace kas {

// Hash usable with std::string keys and std::string_view lookups.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// A set of names that can be probed with string_views without allocating.
using NameSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

class Census {
 public:
  void add(std::string_view name, uint32_t n = 1);
  // Takes `n` away from `name` (not below zero; the entry goes at zero).
  void remove(std::string_view name, uint32_t n = 1);
  [[nodiscard]] uint32_t count(std::string_view name) const;
  [[nodiscard]] bool duplicated(std::string_view name) const { return count(name) > 1; }
  // Adds every count of `other` (used to merge per-worker partial censuses).
  void merge(const Census& other);
  [[nodiscard]] size_t size() const { return counts_.size(); }
  [[nodiscard]] uint64_t total() const;

  // Entries sorted by name: deterministic output whatever the insertion order.
  [[nodiscard]] std::vector<std::pair<std::string_view, uint32_t>> sorted() const;

  // The reference's modules.symbfreq format: one "name:count" line per name,
  // sorted by name. A census may also hold source files as keys with a '/'
  // ("drivers/uio/uio.c:1", the number of modules compiling it), which no
  // symbol name can contain.
  [[nodiscard]] std::string to_symbfreq() const;
  // Parses that format. Error: kBadInput naming "path:line".
  [[nodiscard]] static Result<Census> from_symbfreq(std::string_view data, const std::string& path);
  // The same, keeping only names in `wanted` (a module request needs a few
  // hundred of the ~500,000 names: no map is built for the rest).
  // Source-file keys ('/') go to `units` instead (with or without `wanted`).
  [[nodiscard]] static Result<Census> from_symbfreq(std::string_view data, const std::string& path, Census& units);
  [[nodiscard]] static Result<Census> from_symbfreq(std::string_view data, const std::string& path,
                                                    const NameSet& wanted, Census& units);

 private:
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> counts_;
};

}  // namespace kas
