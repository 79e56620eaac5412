// text/utf8.h: the agent's one UTF-8 decoder (RFC 3629, read as Go's
// unicode/utf8 reads it) and what is built on it.

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <utility>

#include "text/utf8.h"

using namespace vitals::text;

namespace {

using Decoded = std::pair<char32_t, std::size_t>;
const Decoded kInvalid{kRuneError, 1};

}  // namespace

TEST_CASE("DecodeRune: each length, at its bounds", "[utf8]") {
  CHECK(DecodeRune(std::string_view("\0a", 2)) == Decoded{0, 1});
  CHECK(DecodeRune("A") == Decoded{U'A', 1});
  CHECK(DecodeRune("\x7f") == Decoded{0x7F, 1});
  CHECK(DecodeRune("\xc2\x80") == Decoded{0x80, 2});
  CHECK(DecodeRune("\xc3\xa9x") == Decoded{0xE9, 2});
  CHECK(DecodeRune("\xdf\xbf") == Decoded{0x7FF, 2});
  CHECK(DecodeRune("\xe0\xa0\x80") == Decoded{0x800, 3});
  CHECK(DecodeRune("\xe2\x82\xac") == Decoded{0x20AC, 3});
  CHECK(DecodeRune("\xed\x9f\xbf") == Decoded{0xD7FF, 3});  // below the surrogates
  CHECK(DecodeRune("\xee\x80\x80") == Decoded{0xE000, 3});  // above them
  CHECK(DecodeRune("\xef\xbf\xbd") == Decoded{0xFFFD, 3});  // U+FFFD itself is valid
  CHECK(DecodeRune("\xef\xbf\xbf") == Decoded{0xFFFF, 3});
  CHECK(DecodeRune("\xf0\x90\x80\x80") == Decoded{0x10000, 4});
  CHECK(DecodeRune("\xf0\x9f\x98\x80") == Decoded{0x1F600, 4});
  CHECK(DecodeRune("\xf4\x8f\xbf\xbf") == Decoded{0x10FFFF, 4});
  CHECK(DecodeRune("") == Decoded{kRuneError, 0});
}

TEST_CASE("DecodeRune: what RFC 3629 forbids is (U+FFFD, 1)", "[utf8]") {
  SECTION("overlong forms") {
    CHECK(DecodeRune("\xc0\xaf") == kInvalid);          // '/' in two bytes
    CHECK(DecodeRune("\xc1\xbf") == kInvalid);
    CHECK(DecodeRune("\xe0\x9f\xbf") == kInvalid);      // U+07FF in three
    CHECK(DecodeRune("\xf0\x8f\xbf\xbf") == kInvalid);  // U+FFFF in four
  }
  SECTION("surrogates") {
    CHECK(DecodeRune("\xed\xa0\x80") == kInvalid);  // U+D800
    CHECK(DecodeRune("\xed\xbf\xbf") == kInvalid);  // U+DFFF
  }
  SECTION("past U+10FFFF") {
    CHECK(DecodeRune("\xf4\x90\x80\x80") == kInvalid);  // U+110000
    CHECK(DecodeRune("\xf5\x80\x80\x80") == kInvalid);
    CHECK(DecodeRune("\xf7\xbf\xbf\xbf") == kInvalid);
  }
  SECTION("truncated, and bad continuation bytes") {
    CHECK(DecodeRune("\xc3") == kInvalid);
    CHECK(DecodeRune("\xe2\x82") == kInvalid);
    CHECK(DecodeRune("\xf0\x9f\x98") == kInvalid);
    CHECK(DecodeRune("\xc3(") == kInvalid);
    CHECK(DecodeRune("\xe2\x82(") == kInvalid);
    CHECK(DecodeRune("\xf0\x9f\x98\xc0") == kInvalid);
  }
  SECTION("bytes that start nothing") {
    CHECK(DecodeRune("\x80") == kInvalid);  // a lone continuation byte
    CHECK(DecodeRune("\xbf") == kInvalid);
    CHECK(DecodeRune("\xf8\x88\x80\x80\x80") == kInvalid);  // a five-byte form
    CHECK(DecodeRune("\xfe") == kInvalid);
    CHECK(DecodeRune("\xff") == kInvalid);
  }
}

TEST_CASE("Utf8SequenceLength and ValidUtf8 follow DecodeRune", "[utf8]") {
  CHECK(Utf8SequenceLength("a\xff") == 1);
  CHECK(Utf8SequenceLength("\xc3\xa9") == 2);
  CHECK(Utf8SequenceLength("\xef\xbf\xbd") == 3);
  CHECK(Utf8SequenceLength("\xf4\x8f\xbf\xbf") == 4);
  CHECK(Utf8SequenceLength("\xf4\x90\x80\x80") == 0);
  CHECK(Utf8SequenceLength("\xe2\x82") == 0);
  CHECK(Utf8SequenceLength("") == 0);
  CHECK(ValidUtf8(""));
  CHECK(ValidUtf8("caf\xc3\xa9 \xef\xbf\xbd \xf0\x9f\x98\x80"));
  CHECK_FALSE(ValidUtf8("caf\xc3"));
  CHECK_FALSE(ValidUtf8("\xed\xa0\x80"));
  CHECK_FALSE(ValidUtf8("a\xc0\xaf" "b"));
}

TEST_CASE("GoToValidUtf8: one U+FFFD per run of invalid bytes", "[utf8]") {
  CHECK(GoToValidUtf8("plain ascii") == "plain ascii");
  CHECK(GoToValidUtf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(GoToValidUtf8("Asset-\xff\xfe" "42") == "Asset-\xef\xbf\xbd" "42");
  CHECK(GoToValidUtf8("a\xff" "b\xfe") == "a\xef\xbf\xbd" "b\xef\xbf\xbd");
  CHECK(GoToValidUtf8("\xc0\x80") == "\xef\xbf\xbd");          // overlong NUL
  CHECK(GoToValidUtf8("\xed\xa0\x80x") == "\xef\xbf\xbdx");   // a surrogate
  CHECK(GoToValidUtf8("\xf4\x90\x80\x80") == "\xef\xbf\xbd");  // past U+10FFFF
  CHECK(GoToValidUtf8("end\xe2\x82") == "end\xef\xbf\xbd");    // truncated
  CHECK(GoToValidUtf8("").empty());
}

