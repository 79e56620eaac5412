#include "agent/cli/flag_syntax.h"

namespace vitals {

std::optional<std::string> FlagArgument::TakeValue(const std::vector<std::string>& args,
                                                   std::size_t& i) const {
  if (value) {
    return value;
  }
  if (i + 1 >= args.size()) {
    return std::nullopt;
  }
  return args[++i];
}

std::optional<FlagArgument> SplitFlag(const std::string& arg) {
  if (arg.rfind("--", 0) != 0) {
    return std::nullopt;
  }
  FlagArgument flag{arg.substr(2), std::nullopt};
  if (auto eq = flag.name.find('='); eq != std::string::npos) {
    flag.value = flag.name.substr(eq + 1);
    flag.name.resize(eq);
  }
  return flag;
}

std::string HelpLine(std::string_view flag, std::string_view help) {
  return "  " + std::string(flag) + std::string(flag.size() < 25 ? 25 - flag.size() : 1, ' ') +
         std::string(help) + "\n";
}

}  // namespace vitals
