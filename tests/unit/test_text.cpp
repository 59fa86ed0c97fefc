// parley/text.hpp: UTF-8 validation, code point counting, surrogate escapes, trimming.
#include <doctest/doctest.h>

#include <string>

#include "parley/text.hpp"

using namespace parley;

TEST_CASE("is_valid_utf8 accepts well-formed text of every sequence length") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("hello"));
  CHECK(is_valid_utf8("h\xC3\xA9llo"));          // é, 2 bytes
  CHECK(is_valid_utf8("\xE2\x82\xAC"));          // €, 3 bytes
  CHECK(is_valid_utf8("\xF0\x9F\x98\x80"));      // 😀, 4 bytes
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF, the last code point
  CHECK(is_valid_utf8(std::string("a\0b", 3)));  // NUL is a code point
}

TEST_CASE("is_valid_utf8 rejects malformed sequences") {
  CHECK_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
  CHECK_FALSE(is_valid_utf8("\xC3"));              // truncated 2-byte sequence
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));          // truncated 3-byte sequence
  CHECK_FALSE(is_valid_utf8("\xE2\x28\xA1"));      // bad continuation
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong, 3 bytes
  CHECK_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // overlong, 4 bytes
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // encoded surrogate U+D800
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  CHECK_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("ok\xFF"));
}

TEST_CASE("count_code_points counts characters, not bytes") {
  CHECK(count_code_points("") == 0);
  CHECK(count_code_points("abc") == 3);
  CHECK(count_code_points("h\xC3\xA9llo") == 5);
  CHECK(count_code_points("\xF0\x9F\x98\x80\xF0\x9F\x98\x80") == 2);
}

TEST_CASE("truncate_code_points never splits a character") {
  CHECK(truncate_code_points("h\xC3\xA9llo", 2) == "h\xC3\xA9");
  CHECK(truncate_code_points("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 1) == "\xF0\x9F\x98\x80");
  CHECK(truncate_code_points("abc", 10) == "abc");
  CHECK(truncate_code_points("abc", 3) == "abc");
  CHECK(truncate_code_points("abc", 0) == "");
}

TEST_CASE("has_lone_surrogate_escape finds unpaired surrogates only") {
  CHECK_FALSE(has_lone_surrogate_escape(R"({"t":"\ud83d\ude00"})"));  // a valid pair
  CHECK_FALSE(has_lone_surrogate_escape(R"({"t":"\uD83D\uDE00"})"));  // upper-case hex
  CHECK_FALSE(has_lone_surrogate_escape(R"({"t":"\u00e9 \n \" \\"})"));
  CHECK_FALSE(has_lone_surrogate_escape(R"({"t":"\\ud83d"})"));       // an escaped backslash, then text
  CHECK(has_lone_surrogate_escape(R"({"t":"\ud83d"})"));              // lone high
  CHECK(has_lone_surrogate_escape(R"({"t":"\ude00"})"));              // lone low
  CHECK(has_lone_surrogate_escape(R"({"t":"\ud83d x"})"));            // high, then text
  CHECK(has_lone_surrogate_escape(R"({"t":"\ud83d\u0041"})"));        // high, then a non-surrogate
  CHECK(has_lone_surrogate_escape(R"({"t":"\ud83d\ud83d\ude00"})"));  // two highs
  CHECK(has_lone_surrogate_escape(R"({"t":"\ude00\ud83d"})"));        // reversed pair
  CHECK(has_lone_surrogate_escape(R"(\ud83d)"));                      // high at the very end
}

TEST_CASE("trim removes ASCII whitespace at both ends only") {
  CHECK(trim("  hi there \t\r\n") == "hi there");
  CHECK(trim("   ") == "");
  CHECK(trim("") == "");
  CHECK(trim("x") == "x");
}
