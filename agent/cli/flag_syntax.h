#pragma once
// The exporters' flag syntax (kingpin's), shared by vitals' own flags
// (agent/flags.cpp) and `vitals status` (status_command.cpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vitals {

// One argument in the exporters' style, "--name" or "--name=value", split
// (vitals' flags and vitals status' alike).
struct FlagArgument {
  std::string name;
  std::optional<std::string> value;  // given after '='
  // The value given after '=', else the next argument (advancing `i`);
  // nullopt when there is none.
  std::optional<std::string> TakeValue(const std::vector<std::string>& args, std::size_t& i) const;
};
// nullopt when `arg` does not start with "--".
std::optional<FlagArgument> SplitFlag(const std::string& arg);
// One line of a --help listing: the flag in a column of 25, then its help.
std::string HelpLine(std::string_view flag, std::string_view help);

}  // namespace vitals
