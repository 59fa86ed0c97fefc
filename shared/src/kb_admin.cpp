// Knowledge-base article rules (parley/kb_admin.hpp).
#include "parley/kb_admin.hpp"

#include <algorithm>

namespace parley {
namespace {

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

bool has_control(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) return false;
    return c < 0x20 || c == 0x7f;
  });
}

std::string trim_lower(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) --e;
  std::string out(s.substr(b, e - b));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string too_long(std::size_t max) { return "must be at most " + std::to_string(max) + " characters"; }

}  // namespace

std::vector<std::string> normalise_kb_keywords(const std::vector<std::string>& keywords) {
  std::vector<std::string> out;
  for (const std::string& k : keywords) {
    std::string n = trim_lower(k);
    if (n.empty() || std::find(out.begin(), out.end(), n) != out.end()) continue;
    out.push_back(std::move(n));
  }
  return out;
}

bool kb_language_ok(std::string_view language) {
  if (language.empty()) return true;
  return language.size() == 2 && std::all_of(language.begin(), language.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

std::optional<KbProblem> check_kb_article(const KbArticle& a, bool need_id) {
  if (need_id && a.id.empty()) return KbProblem{"id", "must not be empty"};
  if (code_points(a.id) > kKbMaxIdChars) return KbProblem{"id", too_long(kKbMaxIdChars)};
  if (has_control(a.id, false)) return KbProblem{"id", "must not hold control characters"};
  if (blank(a.title)) return KbProblem{"title", "must not be empty"};
  if (code_points(a.title) > kKbMaxTitleChars) return KbProblem{"title", too_long(kKbMaxTitleChars)};
  if (has_control(a.title, false)) return KbProblem{"title", "must be one line without control characters"};
  if (blank(a.body)) return KbProblem{"body", "must not be empty"};
  if (code_points(a.body) > kKbMaxBodyChars) return KbProblem{"body", too_long(kKbMaxBodyChars)};
  if (has_control(a.body, true)) return KbProblem{"body", "must not hold control characters"};
  if (code_points(a.category) > kKbMaxCategoryChars) return KbProblem{"category", too_long(kKbMaxCategoryChars)};
  if (has_control(a.category, false)) return KbProblem{"category", "must be one line without control characters"};
  if (a.keywords.size() > kKbMaxKeywords) {
    return KbProblem{"keywords", "at most " + std::to_string(kKbMaxKeywords) + " keywords"};
  }
  for (const std::string& k : a.keywords) {
    if (code_points(k) > kKbMaxKeywordChars) return KbProblem{"keywords", "a keyword " + too_long(kKbMaxKeywordChars)};
    if (has_control(k, false)) return KbProblem{"keywords", "a keyword must not hold control characters"};
  }
  if (!kb_language_ok(a.language)) {
    return KbProblem{"language", "must be a two-letter language code such as \"en\", or empty for any"};
  }
  return std::nullopt;
}

bool kb_uses_porter(std::string_view language) { return language.empty() || language == "en"; }

}  // namespace parley
