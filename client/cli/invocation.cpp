#include <stdexcept>

#include "client/cli/command.hpp"

namespace kas::cli {

Invocation::Invocation(const Command& command, ParsedArgs parsed) : command_(&command), parsed_(std::move(parsed)) {}

const OptionSpec& Invocation::spec(std::string_view option) const {
  for (const OptionSpec& s : command_->options) {
    if (option == s.long_name) return s;
  }
  throw std::logic_error("kas " + std::string(command_->name) + " has no option --" + std::string(option));
}

bool Invocation::flag(std::string_view option) const {
  const OptionSpec& wanted = spec(option);
  for (const auto& [given, value] : parsed_.given) {
    if (given == &wanted) return true;
  }
  return false;
}

std::string Invocation::value(std::string_view option, std::string fallback) const {
  const OptionSpec& wanted = spec(option);
  for (auto it = parsed_.given.rbegin(); it != parsed_.given.rend(); ++it) {
    if (it->first == &wanted) return it->second;
  }
  return fallback;
}

std::vector<std::string> Invocation::values(std::string_view option) const {
  const OptionSpec& wanted = spec(option);
  std::vector<std::string> out;
  for (const auto& [given, value] : parsed_.given) {
    if (given == &wanted) out.push_back(value);
  }
  return out;
}

unsigned Invocation::number(std::string_view option, unsigned fallback) const {
  std::string text = value(option);
  unsigned n = fallback;
  if (!text.empty() && !parse_unsigned(text, n)) {
    throw std::logic_error("--" + std::string(option) + " is not checked as a number");
  }
  return n;
}

int Invocation::usage_error(std::string_view message) const {
  std::fprintf(stderr, "kas %s: %.*s\n", command_->name, static_cast<int>(message.size()), message.data());
  return kExitUsage;
}

std::string Invocation::see_help() const { return " (see 'kas " + std::string(command_->name) + " --help')"; }

}  // namespace kas::cli
