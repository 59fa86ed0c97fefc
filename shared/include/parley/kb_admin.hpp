// parley/kb_admin.hpp: the rules of a knowledge-base article as staff write it (issue 10): its
// limits, its validation and how it is normalised, and which full-text tokenizer its language
// gets. One place for the relay's REST edge, parleyctl's import and the inbox's Knowledge base
// screen, so all three refuse the same things with the same words. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/assistant_rules.hpp"

namespace parley {

inline constexpr std::size_t kKbMaxIdChars = 100;
inline constexpr std::size_t kKbMaxTitleChars = 200;
inline constexpr std::size_t kKbMaxBodyChars = 20000;
inline constexpr std::size_t kKbMaxCategoryChars = 80;
inline constexpr std::size_t kKbMaxKeywords = 100;
inline constexpr std::size_t kKbMaxKeywordChars = 200;
inline constexpr std::size_t kKbMaxQueryChars = 500;      // GET /api/v1/kb/search?q=
inline constexpr std::size_t kKbMaxSynonymWords = 500;    // keys of a tenant's synonym table
inline constexpr std::size_t kKbMaxSynonymsPerWord = 20;

// A field that is wrong and why, in words for people ("title: must not be empty").
struct KbProblem {
  std::string field;    // "id", "title", "body", "category", "keywords", "language"
  std::string message;  // without the field's name
};

// Keywords lower-cased (ASCII), trimmed, empty ones and repeats dropped, order kept.
std::vector<std::string> normalise_kb_keywords(const std::vector<std::string>& keywords);

// "" (any language) or a two-letter lower-case ISO 639-1 code ("en", "pt").
bool kb_language_ok(std::string_view language);

// The first problem of `a` (code points counted, not bytes), or nullopt. Checks: id present (when
// `need_id`), no control characters and at most kKbMaxIdChars; title present (not only blanks) and
// short; body present (not only blanks) and at most kKbMaxBodyChars; category, keywords and
// language within their limits. Texts must be valid UTF-8 already (the edges check that).
std::optional<KbProblem> check_kb_article(const KbArticle& a, bool need_id = true);

// True when the article's language is searched with FTS5's porter stemmer (English, and "" =
// any language, which most knowledge bases written before languages existed are); every other
// language is indexed with unicode61 alone and stemmed on the question's side (kb_query.hpp).
bool kb_uses_porter(std::string_view language);

}  // namespace parley
