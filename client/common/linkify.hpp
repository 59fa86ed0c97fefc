// linkify.hpp: finding web links in message text (pure; used by the models, tested natively).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::client {

// A link inside a text: bytes [begin, end) of the text, and the URL to open (with "https://"
// added to "www." links).
struct LinkSpan {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::string url;
};

// Finds http(s):// and www. links at word starts. Trailing punctuation that usually ends the
// sentence (".,;:!?'\"") is left out, and so is a closing bracket without its opening one.
// Returns spans in text order, non-overlapping.
std::vector<LinkSpan> find_links(std::string_view text);

}  // namespace parley::client
