#pragma once
// Text from an agent (check names and descriptions hold any bytes a probe or
// a command printed) made into one cell of a terminal table: nothing in it
// may move the cursor, change colours, reorder the row or break it, and a
// long text is cut to the room it has.

#include <cstddef>
#include <string>
#include <string_view>

namespace vitals::cli {

struct TerminalCell {
  std::string text;
  std::size_t columns = 0;  // its width on a terminal
};

// Keeps printable UTF-8 as it is and writes the rest as visible escapes: C0
// controls and DEL as \n, \r, \t or \x1b; bytes that are not UTF-8 as \xff;
// C1 controls (U+0080-U+009F, which include the 8-bit CSI), the
// bidirectional controls (they reorder the text after them) and code points
// the C library finds unprintable as \u009b. Wide characters count two
// columns and combining marks none (wcwidth in C.UTF-8). Cut to at most
// `max_columns` columns, with "..." where the cut is.
TerminalCell TerminalText(std::string_view text, std::size_t max_columns);

// The columns of the terminal on `fd`, or 0 when it is not one (or says 0).
std::size_t TerminalColumns(int fd);

}  // namespace vitals::cli
