// form_text.hpp: what the inbox's models do with what people typed and what they send (pure C++,
// header only, native and WebAssembly). Keep no other copies in the models.
#pragma once

#include <string>
#include <string_view>

#include "parley/model.hpp"
#include "parley/text.hpp"

namespace parley::client {

// `s` without leading and trailing spaces, tabs and line breaks (parley::trim), as a string.
inline std::string trimmed(std::string_view s) { return std::string(parley::trim(s)); }

// How many code points the UTF-8 `s` holds (the relay's length limits count these, not bytes).
inline std::size_t code_points(std::string_view s) { return parley::count_code_points(s); }

// `j` as compact JSON text for a request body; invalid UTF-8 in a string becomes U+FFFD instead
// of an abort (the apps are built without exceptions).
inline std::string json_text(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace parley::client
