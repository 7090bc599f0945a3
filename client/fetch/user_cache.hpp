// The user's own cache directory, for the files kas keeps between runs (the
// running kernel's module links, kas-fetch's debuginfod cache).
//
// Only ever under the user's $XDG_CACHE_HOME or ~/.cache, and with HOME
// unset under the home the password database gives the real uid: never
// /tmp or another shared directory, where another user could plant a
// directory or a symbolic link for a root kas to write or delete through.
// Every directory kas uses there is opened relative to its parent without
// following links, created 0700, and must belong to the effective uid and
// be writable by no one else; deletions go through its descriptor
// (unlinkat), never through a path.
#pragma once

#include <string>
#include <vector>

#include "core/util/fd.hpp"
#include "core/util/result.hpp"

namespace kas::cli {

// An open directory that passed the checks, and its path (for messages and
// for the readers that take paths).
struct PrivateDir {
  Fd fd;
  std::string path;
};

// $XDG_CACHE_HOME when absolute, else $HOME/.cache, else (HOME unset or
// empty) the real uid's home from the password database + "/.cache". Error
// kNotFound when the uid has no entry.
[[nodiscard]] Result<std::string> user_cache_home();

// `path` as a private directory: created 0700 when absent (its parent must
// exist), opened, and checked: a directory owned by the effective uid that
// no group or other may write; when `path` itself is a symbolic link, the
// link must be the user's too. Error kIo naming the path and what is wrong.
[[nodiscard]] Result<PrivateDir> open_private_dir(const std::string& path);

// `names` (one component each, no '/', not "." or "..") below `top`, each
// created 0700 when absent, opened with O_NOFOLLOW relative to the one
// before, and checked as open_private_dir() checks.
[[nodiscard]] Result<PrivateDir> private_subdir(const PrivateDir& top, const std::vector<std::string>& names);

}  // namespace kas::cli
