// parley/kb_query.hpp: a question turned into SQLite FTS5 MATCH expressions for the knowledge
// base's full-text search (the relay's GET /api/v1/kb/search, schema v15's kb_fts_en and
// kb_fts_intl). Pure: no SQLite here, only the text of the expressions, so the rules are tested
// without a database.
//
// The question's words are folded (parley/words.hpp: lower case, Latin accents off), stop words
// of the five supported languages and one-letter words dropped, repeats (by stem) merged, and at
// most kKbMaxQueryWords kept. Each remaining word is a group: the word itself or any of the
// tenant's synonyms for it (keys matched by stem, so "bills" finds the synonyms of "bill"). Groups
// are OR-ed: BM25 then ranks articles that have more of the rare words first.
//
// Two flavours, one per FTS5 table:
//  - porter (English and language-less articles, tokenizer "porter unicode61 remove_diacritics 2"):
//    the folded word as FTS5 gets it; the porter stemmer on both sides meets word forms.
//  - plain (every other language, tokenizer "unicode61 remove_diacritics 2", no stemmer): the
//    word's light stem (parley::stem_word: Spanish/French/Portuguese plurals, -ing/-ed ...) as a
//    prefix, so "facturas" meets "factura" and "facturación".
// Prefix matching: a word written with a trailing '*' ("refu*"), and the question's last word
// when it has 3 or more letters (type-ahead), also match as prefixes, in both flavours.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "parley/kb_search.hpp"

namespace parley {

inline constexpr std::size_t kKbMaxQueryWords = 12;

enum class KbFlavour { porter, plain };

struct KbTerm {
  std::string text;     // folded words, space-separated for a phrase (a synonym of several words)
  bool prefix = false;  // matched as a prefix (the last word of a phrase)
};

struct KbGroup {
  std::string word;            // the question's word as folded
  std::vector<KbTerm> terms;   // the word (first) and its synonyms; any of them counts
};

struct KbQuery {
  std::vector<KbGroup> groups;  // empty: the question has no content word (nothing to search)
};

KbQuery build_kb_query(std::string_view question, const Synonyms& synonyms, KbFlavour flavour);

// FTS5 MATCH text of one group ("\"refund\" OR \"money\" OR \"pay back\"") and of the whole
// query (the groups OR-ed, each in parentheses); "" for an empty query. Every term is a quoted
// FTS5 string (a '"' inside doubled), so no question can inject FTS5 syntax.
std::string fts5_group_match(const KbGroup& group);
std::string fts5_match(const KbQuery& query);

// The search's confidence for an article: the share (0..1) of the question's groups it matched,
// times 0.5 when only one of two or more groups matched ("my bill is wrong and the router is
// broken" answered by an article about routers alone is a weak answer). 0 when there are no groups.
double kb_match_confidence(std::size_t matched_groups, std::size_t groups);

}  // namespace parley
