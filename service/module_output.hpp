// Where kas module's answer becomes a file: the input with the alias
// symbols added, written atomically.
//
// kas writes every output, kasd none: the module objects here, vmlinux's
// listing and the census on stdout or -o. The file belongs to the user who
// ran kas, so kas makes it: in kas's working directory, under kas's umask
// and permissions, with its temporary removed if kas is killed. kasd then
// only reads, and a daemon serving requests cannot be asked to write where
// its client could not. The answer names the input it was decided for
// (its stamp), and the writer refuses any other file at that path.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/engine/engine_module.hpp"
#include "core/util/atomic_file.hpp"
#include "core/util/result.hpp"

namespace kas::service {

class ModuleOutput {
 public:
  // The output of the module request for `input`: `output` ("" = input +
  // ".kas"), or the input itself with `in_place`. Its directory is opened
  // now, before the request reads anything (atomic_file.hpp says why).
  [[nodiscard]] static ModuleOutput open(const std::string& input, const std::string& output, bool in_place);

  [[nodiscard]] const std::string& path() const { return target_->path(); }

  // Writes the input with the answer's aliases that it does not have yet
  // (in place: only when there is one; else a plain copy when there is
  // none). Returns the aliases added. Errors name the file: the input is not
  // the one the answer was decided for, or changed while being copied;
  // the output cannot be written (nothing is left behind).
  [[nodiscard]] Result<std::vector<ModuleAlias>> write(const ModuleResult& answer) const;

 private:
  ModuleOutput(std::string input, bool in_place, std::shared_ptr<const OutputTarget> target)
      : input_(std::move(input)), in_place_(in_place), target_(std::move(target)) {}

  std::string input_;
  bool in_place_ = false;
  std::shared_ptr<const OutputTarget> target_;
};

}  // namespace kas::service
