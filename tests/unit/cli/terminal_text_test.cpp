#include "agent/cli/terminal_text.h"

#include <catch2/catch.hpp>

using vitals::cli::TerminalText;

namespace {

// No byte that a terminal acts on: C0 controls, DEL, ESC-less C1 (0xc2 0x80-0x9f).
bool OnlyVisibleBytes(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      return false;
    }
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("TerminalText keeps printable text and counts its columns", "[cli]") {
  auto plain = TerminalText("exec /bin/check: 12% used", 80);
  CHECK(plain.text == "exec /bin/check: 12% used");
  CHECK(plain.columns == plain.text.size());

  SECTION("UTF-8 stays as it is; wide characters count two columns, combining marks none") {
    CHECK(TerminalText("Prüfung", 80).text == "Prüfung");
    CHECK(TerminalText("Prüfung", 80).columns == 7);
    CHECK(TerminalText("ディスク", 80).columns == 8);
    CHECK(TerminalText("e\u0301", 80).columns == 1);
  }
}

TEST_CASE("TerminalText makes what a terminal would act on visible", "[cli]") {
  SECTION("line breaks and tabs") {
    CHECK(TerminalText("one\ntwo\r\tthree", 80).text == "one\\ntwo\\r\\tthree");
  }
  SECTION("ANSI escapes: colours, clearing the screen, a window title") {
    const auto cell = TerminalText("\x1b[31mred\x1b[0m \x1b[2J\x1b[H \x1b]0;owned\x07", 200);
    CHECK(cell.text == "\\x1b[31mred\\x1b[0m \\x1b[2J\\x1b[H \\x1b]0;owned\\x07");
    CHECK(cell.columns == cell.text.size());
  }
  SECTION("NUL and DEL") {
    CHECK(TerminalText(std::string("a\0b\x7f", 4), 80).text == "a\\x00b\\x7f");
  }
  SECTION("C1 controls, e.g. the 8-bit CSI") {
    CHECK(TerminalText("\xc2\x9b" "31m", 80).text == "\\u009b31m");
  }
  SECTION("bidirectional overrides that would reorder the row") {
    CHECK(TerminalText("ok \u202e dlrow", 80).text == "ok \\u202e dlrow");
    CHECK(TerminalText("\u2066x\u2069", 80).text == "\\u2066x\\u2069");
  }
  SECTION("bytes that are not UTF-8") {
    CHECK(TerminalText("\xff\xc3(", 80).text == "\\xff\\xc3(");
    CHECK(TerminalText("\xed\xa0\x80", 80).text == "\\xed\\xa0\\x80");  // a surrogate
  }
  SECTION("every byte value") {
    std::string all;
    for (int c = 0; c < 256; ++c) {
      all += static_cast<char>(c);
    }
    CHECK(OnlyVisibleBytes(TerminalText(all, 10'000).text));
  }
}

TEST_CASE("TerminalText cuts to the room it has, marking the cut", "[cli]") {
  SECTION("10 KB of text") {
    const auto cell = TerminalText(std::string(10'000, 'x'), 50);
    CHECK(cell.columns == 50);
    CHECK(cell.text == std::string(47, 'x') + "...");
  }
  SECTION("text that fits is not cut") {
    CHECK(TerminalText("12345", 5).text == "12345");
    CHECK(TerminalText("123456", 5).text == "12...");
  }
  SECTION("an escape is never split") {
    const auto cell = TerminalText(std::string(100, '\n'), 12);
    CHECK(cell.text == "\\n\\n\\n\\n...");
    CHECK(cell.columns == 11);
  }
  SECTION("a wide character is never split") {
    const auto cell = TerminalText("ディスクディスク", 6);
    CHECK(cell.text == "デ...");
    CHECK(cell.columns == 5);
  }
  SECTION("less room than the mark") {
    CHECK(TerminalText("abcdef", 2).text == "..");
    CHECK(TerminalText("abcdef", 0).text.empty());
  }
}
