// parley/text.hpp: UTF-8 and JSON-escape checks used at the edge of every input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace parley {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Number of Unicode code points in valid UTF-8 `s` (text limits count code points, not bytes).
std::size_t count_code_points(std::string_view s);

// True when raw JSON text contains a \uD800-\uDFFF escape that is not part of a valid
// high+low surrogate pair. Such text decodes to invalid UTF-8, so decoders reject it up front
// with ErrorCode::bad_unicode instead of a generic parse error.
bool has_lone_surrogate_escape(std::string_view json_text);

// The longest prefix of UTF-8 `s` holding at most `max_code_points` code points; never splits a
// multi-byte sequence.
std::string_view truncate_code_points(std::string_view s, std::size_t max_code_points);

// Text with leading/trailing ASCII whitespace removed.
std::string_view trim(std::string_view s);

// ASCII letters lower-cased; every other byte kept (UTF-8 stays valid).
std::string ascii_lower(std::string_view s);
// Equality ignoring ASCII case.
bool iequals_ascii(std::string_view a, std::string_view b);

}  // namespace parley
