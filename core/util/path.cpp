#include "core/util/path.hpp"

#include <limits.h>
#include <stdlib.h>

#include <vector>

namespace kas::path {

bool is_absolute(std::string_view p) { return !p.empty() && p.front() == '/'; }

std::string normalize(std::string_view p) {
  bool absolute = is_absolute(p);
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view part = p.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = absolute ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '/';
    out += parts[k];
  }
  return out;
}

std::string join(std::string_view base, std::string_view p) {
  if (is_absolute(p) || base.empty()) return normalize(p);
  std::string combined(base);
  combined += '/';
  combined += p;
  return normalize(combined);
}

bool strip_prefix(std::string_view p, std::string_view dir, std::string& rest) {
  if (dir.empty()) {
    if (is_absolute(p)) return false;
    rest = p;
    return true;
  }
  if (dir == "/") {
    if (!is_absolute(p)) return false;
    rest = p.substr(1);
    return true;
  }
  if (p.size() < dir.size() || p.substr(0, dir.size()) != dir) return false;
  if (p.size() == dir.size()) {
    rest.clear();
    return true;
  }
  if (p[dir.size()] != '/') return false;
  rest = p.substr(dir.size() + 1);
  return true;
}

std::string_view basename(std::string_view p) {
  size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  if (::realpath(p.c_str(), buf) == nullptr) return {};
  return buf;
}

std::string directory(std::string_view p) {
  const size_t slash = p.rfind('/');
  if (slash == std::string_view::npos) return ".";
  return std::string(p.substr(0, slash == 0 ? 1 : slash));
}

}  // namespace kas::path
