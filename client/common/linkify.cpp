#include "common/linkify.hpp"

#include <cctype>

namespace parley::client {
namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool ends_link(unsigned char c) {
  return c <= ' ' || c == '<' || c == '>' || c == '"' || c == '`' || c == '{' || c == '}' || c == '|' ||
         c == '\\' || c == '^';
}

bool is_trailing_punct(char c) {
  return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' || c == '"';
}

}  // namespace

std::vector<LinkSpan> find_links(std::string_view text) {
  std::vector<LinkSpan> links;
  std::size_t i = 0;
  while (i < text.size()) {
    const bool word_start = i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1]));
    const std::string_view rest = text.substr(i);
    std::size_t scheme = 0;
    if (word_start) {
      if (starts_with_ci(rest, "https://"))
        scheme = 8;
      else if (starts_with_ci(rest, "http://"))
        scheme = 7;
      else if (starts_with_ci(rest, "www."))
        scheme = 4;
    }
    if (scheme == 0) {
      ++i;
      continue;
    }
    std::size_t end = i + scheme;
    while (end < text.size() && !ends_link(static_cast<unsigned char>(text[end]))) ++end;
    // Trim sentence punctuation and unbalanced closing brackets.
    for (;;) {
      if (end > i + scheme && is_trailing_punct(text[end - 1])) {
        --end;
        continue;
      }
      if (end > i + scheme && (text[end - 1] == ')' || text[end - 1] == ']')) {
        const char open = text[end - 1] == ')' ? '(' : '[';
        int depth = 0;
        for (std::size_t k = i; k < end; ++k) {
          if (text[k] == open) ++depth;
          if (text[k] == text[end - 1]) --depth;
        }
        if (depth < 0) {
          --end;
          continue;
        }
      }
      break;
    }
    // Require something after the scheme ("http://" alone is not a link) with a dot or a slash
    // for www. links ("www." alone is a word).
    const std::string_view body = text.substr(i + scheme, end - i - scheme);
    const bool plausible = !body.empty() && (scheme != 4 || body.find('.') != std::string_view::npos);
    if (!plausible) {
      i += scheme;
      continue;
    }
    LinkSpan span;
    span.begin = static_cast<std::uint32_t>(i);
    span.end = static_cast<std::uint32_t>(end);
    span.url = scheme == 4 ? "https://" + std::string(text.substr(i, end - i))
                           : std::string(text.substr(i, end - i));
    links.push_back(std::move(span));
    i = end;
  }
  return links;
}

}  // namespace parley::client
