#include "client/output.hpp"

#include "client/command.hpp"
#include "core/util/file.hpp"

namespace kas::cli {

int write_output(const std::string& out_path, const std::string& text) {
  Result<void> written = out_path.empty() || out_path == "-" ? write_stdout(text) : write_file_atomic(out_path, text);
  if (!written) return report(written.error());
  return kExitOk;
}

}  // namespace kas::cli
