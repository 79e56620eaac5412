#include "agent/status/format.h"

#include <catch2/catch.hpp>
#include <clocale>
#include <locale>

using namespace vitals::status;
using namespace std::chrono_literals;

TEST_CASE("Format: ratios, sizes and times for a person", "[status]") {
  CHECK(Percent(0) == "0 %");
  CHECK(Percent(0.0005) == "0.05 %");
  CHECK(Percent(0.034) == "3.4 %");
  CHECK(Percent(0.734) == "73 %");
  CHECK(Percent(1) == "100 %");
  CHECK(Bytes(512) == "512 B");
  CHECK(Bytes(3.2 * 1024) == "3.2 KiB");
  CHECK(Bytes(15.6 * 1024 * 1024 * 1024) == "16 GiB");
  CHECK(Span(45s) == "45 s");
  CHECK(Span(192s) == "3 min 12 s");
  CHECK(Span(2h + 5min + 3s) == "2 h 5 min");
  CHECK(Span(3 * 24h + 4h) == "3 d 4 h");
  CHECK(Span(-3s) == "0 s");
  CHECK(Took(300us) == "< 1 ms");
  CHECK(Took(4ms) == "4 ms");
  CHECK(Took(1234ms) == "1.23 s");
  CHECK(Timestamp(std::chrono::system_clock::time_point(1'700'000'000s)) ==
        "2023-11-14 22:13:20 UTC");
}

TEST_CASE("Format: no decimal comma whatever the locale", "[status]") {
  const char* previous = std::setlocale(LC_ALL, nullptr);
  std::string saved = previous != nullptr ? previous : "C";
  if (std::setlocale(LC_ALL, "de_DE.UTF-8") == nullptr) {
    WARN("no de_DE.UTF-8 locale here; checked in the C locale only");
  }
  CHECK(Fixed(0.4213, 2) == "0.42");
  CHECK(Percent(0.034) == "3.4 %");
  std::setlocale(LC_ALL, saved.c_str());
}

TEST_CASE("OneLine: a description stays one readable line", "[status]") {
  CHECK(OneLine("two\nlines\tand\rmore", 100) == "two lines and more");
  CHECK(OneLine("\x1b[31mred\x1b[0m", 100) == "\\x1b[31mred\\x1b[0m");
  CHECK(OneLine(std::string("nul\0byte", 8), 100) == "nul\\x00byte");
  CHECK(OneLine(std::string(10'000, 'x'), 400) == std::string(400, 'x') + "…");
  // Cut at a character boundary: "é" is two bytes.
  CHECK(OneLine("aé", 2) == "a…");
  CHECK(OneLine("aéb", 3) == "aé…");
}
