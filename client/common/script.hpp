// script.hpp: what the text path needs to know about a string's scripts (pure; tested natively).
//
// No full Unicode tables: the ranges below cover the scripts Parley is required to show (Latin,
// Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, Chinese, Japanese, Korean, emoji) and the
// other right-to-left scripts of the BMP and SMP. The browser does the real shaping and bidi;
// these helpers only pick a paragraph direction, a language tag for the canvas, and an avatar
// letter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::client::script {

enum class Direction : std::uint8_t { neutral, ltr, rtl };

// Decodes one UTF-8 code point at `i` and advances `i` (invalid bytes give U+FFFD, one byte).
char32_t next(std::string_view s, std::size_t& i);

// A right-to-left letter (Hebrew, Arabic, Syriac, Thaana, NKo, ... and their presentation forms).
bool is_rtl(char32_t c);
// A left-to-right letter (Latin, Greek, Cyrillic, Indic, Thai, CJK, Hangul, ...). Digits,
// punctuation, symbols and emoji are neither.
bool is_ltr(char32_t c);

// The direction of the first strong character (UAX #9 rule P2, without isolates), `neutral` when
// there is none (digits, emoji only).
Direction first_strong(std::string_view utf8);

// A BCP 47 tag for the canvas's `lang`, so Han characters get their regional glyph forms:
// "ja" when the text has kana, "ko" with Hangul, and for Han without either the `preferred` tag
// when it is Chinese or Japanese ("zh-TW", "ja"), else "zh". Other text: `preferred` (may be "").
std::string lang_for(std::string_view utf8, std::string_view preferred);

// A language tag whose script is written right to left ("ar", "he-IL", "fa", "ur", ...).
bool is_rtl_language(std::string_view tag);

// A code point that joins the previous one into one grapheme for our purposes: combining marks of
// the supported scripts, variation selectors, emoji modifiers, ZWJ (and what follows it), tags.
bool is_extend(char32_t c);

// The first grapheme of `s` (approximate, see is_extend), upper-cased when ASCII; "?" for "".
std::string initial(std::string_view s);

}  // namespace parley::client::script
