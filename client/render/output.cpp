#include "client/render/output.hpp"

#include "client/cli/command.hpp"
#include "core/util/file.hpp"

namespace kas::cli {

Output::Output(const std::string& out_path) {
  if (!out_path.empty() && out_path != "-") file_ = OutputTarget::open(out_path);
}

int Output::write(const std::string& text) const {
  Result<void> written = file_ ? write_file_atomic(*file_, text) : write_stdout(text);
  if (!written) return report(written.error());
  return kExitOk;
}

}  // namespace kas::cli
