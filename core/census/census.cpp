#include "core/census/census.hpp"

#include <algorithm>
#include <charconv>

#include "core/util/text.hpp"

namespace kas {

void Census::add(std::string_view name, uint32_t n) {
  auto it = counts_.find(name);
  if (it == counts_.end()) {
    counts_.emplace(std::string(name), n);
  } else {
    it->second += n;
  }
}

void Census::remove(std::string_view name, uint32_t n) {
  auto it = counts_.find(name);
  if (it == counts_.end()) return;
  if (it->second <= n) {
    counts_.erase(it);
  } else {
    it->second -= n;
  }
}

uint32_t Census::count(std::string_view name) const {
  auto it = counts_.find(name);
  return it == counts_.end() ? 0 : it->second;
}

void Census::merge(const Census& other) {
  counts_.reserve(counts_.size() + other.counts_.size());
  for (const auto& [name, n] : other.counts_) add(name, n);
}

uint64_t Census::total() const {
  uint64_t sum = 0;
  for (const auto& entry : counts_) sum += entry.second;
  return sum;
}

std::vector<std::pair<std::string_view, uint32_t>> Census::sorted() const {
  std::vector<std::pair<std::string_view, uint32_t>> out;
  out.reserve(counts_.size());
  for (const auto& [name, n] : counts_) out.emplace_back(name, n);
  std::sort(out.begin(), out.end());
  return out;
}

std::string Census::to_symbfreq() const {
  std::string out;
  out.reserve(counts_.size() * 32);
  for (const auto& [name, n] : sorted()) {
    out += name;
    out += ':';
    out += std::to_string(n);
    out += '\n';
  }
  return out;
}

namespace {

Error malformed(const std::string& path, size_t line_no, std::string_view line) {
  return Error{ErrorCode::kBadInput, path + ":" + std::to_string(line_no) +
                                         ": malformed census line, expected 'name:count': '" +
                                         std::string(line.substr(0, 80)) + "'"};
}

// Cheap fingerprint of a name (length and three characters): lets a module
// request skip hashing the ~500,000 census names it does not define.
uint32_t fingerprint(std::string_view name) {
  size_t n = name.size();
  if (n == 0) return 0;
  return static_cast<uint32_t>(n * 31u + static_cast<unsigned char>(name[0]) * 7u +
                               static_cast<unsigned char>(name[n - 1]) * 13u +
                               static_cast<unsigned char>(name[n / 2])) & 0xffffu;
}

Result<Census> parse_symbfreq(std::string_view data, const std::string& path, const NameSet* wanted,
                              Census* units) {
  std::vector<bool> filter;
  if (wanted != nullptr) {
    filter.assign(0x10000, false);
    for (const std::string& name : *wanted) filter[fingerprint(name)] = true;
  }
  Census census;
  size_t line_no = 0;
  std::string_view line;
  while (text::next_line(data, line, line_no)) {
    if (line.empty()) continue;
    size_t colon = line.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::unexpected(malformed(path, line_no, line));
    std::string_view name = line.substr(0, colon);
    // Keys with a '/' are source files (module_unit_keys), never symbol
    // names; the few thousand of them are always kept.
    bool unit = name.find('/') != std::string_view::npos;
    if (wanted != nullptr && !unit && (!filter[fingerprint(name)] || wanted->find(name) == wanted->end())) continue;
    std::string_view digits = line.substr(colon + 1);
    uint32_t n = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty() || n == 0) {
      return std::unexpected(malformed(path, line_no, line));
    }
    (unit && units != nullptr ? *units : census).add(name, n);
  }
  return census;
}

}  // namespace

Result<Census> Census::from_symbfreq(std::string_view data, const std::string& path) {
  return parse_symbfreq(data, path, nullptr, nullptr);
}

Result<Census> Census::from_symbfreq(std::string_view data, const std::string& path, Census& units) {
  return parse_symbfreq(data, path, nullptr, &units);
}

Result<Census> Census::from_symbfreq(std::string_view data, const std::string& path, const NameSet& wanted,
                                     Census& units) {
  return parse_symbfreq(data, path, &wanted, &units);
}

}  // namespace kas
