#include "agent/cli/terminal_text.h"

#include <locale.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include <cstdio>

#include "text/utf8.h"

namespace vitals::cli {

namespace {

constexpr std::string_view kCutMark = "...";

// wcwidth() answers for the calling thread's LC_CTYPE; C.UTF-8 is built into
// glibc (2.35 and later), so no locale files are needed, and the process's
// own locale is left alone. Null where it cannot be had: one column each.
locale_t Utf8Locale() {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return utf8;
}

// U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069: marks, embeddings,
// overrides and isolates of the Unicode bidirectional algorithm.
bool IsBidiControl(std::uint32_t cp) {
  return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

std::string Escape(const char* format, std::uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

// The next piece of `text` at `i` as it is shown, and how many bytes it takes.
struct Piece {
  std::string shown;
  std::size_t columns;
  std::size_t bytes;
};

Piece NextPiece(std::string_view text, std::size_t i, locale_t utf8) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) {
    switch (c) {
      case '\n': return {"\\n", 2, 1};
      case '\r': return {"\\r", 2, 1};
      case '\t': return {"\\t", 2, 1};
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      return {Escape("\\x%02x", c), 4, 1};
    }
    return {std::string(1, static_cast<char>(c)), 1, 1};
  }
  const auto [cp, n] = text::DecodeRune(text.substr(i));
  if (cp == text::kRuneError && n == 1) {
    return {Escape("\\x%02x", c), 4, 1};
  }
  int width = 1;
  if (utf8 != nullptr) {
    const locale_t previous = uselocale(utf8);
    width = wcwidth(static_cast<wchar_t>(cp));
    uselocale(previous);
  }
  if ((cp >= 0x80 && cp <= 0x9f) || IsBidiControl(cp) || width < 0) {
    std::string shown = Escape(cp > 0xffff ? "\\U%08x" : "\\u%04x", cp);
    const std::size_t columns = shown.size();
    return {std::move(shown), columns, n};
  }
  return {std::string(text.substr(i, n)), static_cast<std::size_t>(width), n};
}

}  // namespace

TerminalCell TerminalText(std::string_view text, std::size_t max_columns) {
  const locale_t utf8 = Utf8Locale();
  TerminalCell cell;
  // Where the text would end if it had to be cut: the longest prefix that
  // leaves room for the mark.
  std::size_t cut_bytes = 0;
  std::size_t cut_columns = 0;
  for (std::size_t i = 0; i < text.size();) {
    Piece piece = NextPiece(text, i, utf8);
    if (cell.columns + piece.columns > max_columns) {
      cell.text.resize(cut_bytes);
      cell.columns = cut_columns;
      const std::string_view mark = kCutMark.substr(0, std::min(kCutMark.size(), max_columns));
      cell.text += mark;
      cell.columns += mark.size();
      return cell;
    }
    cell.text += piece.shown;
    cell.columns += piece.columns;
    if (cell.columns + kCutMark.size() <= max_columns) {
      cut_bytes = cell.text.size();
      cut_columns = cell.columns;
    }
    i += piece.bytes;
  }
  return cell;
}

std::size_t TerminalColumns(int fd) {
  winsize size{};
  if (isatty(fd) == 0 || ioctl(fd, TIOCGWINSZ, &size) != 0) {
    return 0;
  }
  return size.ws_col;
}

}  // namespace vitals::cli
