// FTS5 MATCH expressions for knowledge-base search (parley/kb_query.hpp).
#include "parley/kb_query.hpp"

#include <algorithm>

#include "parley/words.hpp"

namespace parley {
namespace {

// The raw question split on blanks, each chunk with whether it ends in '*'.
struct Chunk {
  std::string_view text;
  bool star = false;
};
std::vector<Chunk> chunks_of(std::string_view q) {
  std::vector<Chunk> out;
  std::size_t i = 0;
  while (i < q.size()) {
    while (i < q.size() && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r')) ++i;
    const std::size_t b = i;
    while (i < q.size() && !(q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r')) ++i;
    if (i > b) out.push_back({q.substr(b, i - b), q[i - 1] == '*'});
  }
  return out;
}

std::string stem_of_phrase(std::string_view text) {
  std::string out;
  for (const std::string& w : fold_words(text)) {
    if (!out.empty()) out += ' ';
    out += stem_word(w);
  }
  return out;
}

// A term for `folded` (one or more folded words) in the flavour: plain stems the last word and
// makes it a prefix.
KbTerm term_for(const std::vector<std::string>& words, bool prefix, KbFlavour flavour) {
  KbTerm t;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) t.text += ' ';
    const bool last = i + 1 == words.size();
    t.text += flavour == KbFlavour::plain && last ? stem_word(words[i]) : words[i];
  }
  t.prefix = prefix || flavour == KbFlavour::plain;
  return t;
}

void quote_into(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

KbQuery build_kb_query(std::string_view question, const Synonyms& synonyms, KbFlavour flavour) {
  struct Word {
    std::string folded;
    bool prefix;
  };
  std::vector<Word> words;
  const std::vector<Chunk> chunks = chunks_of(question);
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    const std::vector<std::string> ws = fold_words(chunks[c].text);
    for (std::size_t i = 0; i < ws.size(); ++i) {
      const bool last_of_chunk = i + 1 == ws.size();
      const bool last_of_question = last_of_chunk && c + 1 == chunks.size();
      words.push_back({ws[i], last_of_chunk && (chunks[c].star || (last_of_question && ws[i].size() >= 3))});
    }
  }
  // Synonym keys by stem.
  std::vector<std::pair<std::string, const std::vector<std::string>*>> keys;
  for (const auto& [key, values] : synonyms) keys.emplace_back(stem_of_phrase(key), &values);

  KbQuery q;
  std::vector<std::string> seen;  // stems
  for (const Word& w : words) {
    if (q.groups.size() >= kKbMaxQueryWords) break;
    if (w.folded.size() < 2 || is_stop_word(w.folded)) continue;
    const std::string stem = stem_word(w.folded);
    if (std::find(seen.begin(), seen.end(), stem) != seen.end()) continue;
    seen.push_back(stem);
    KbGroup g;
    g.word = w.folded;
    g.terms.push_back(term_for({w.folded}, w.prefix, flavour));
    for (const auto& [key, values] : keys) {
      if (key != stem) continue;
      for (const std::string& v : *values) {
        const std::vector<std::string> vw = fold_words(v);
        if (vw.empty()) continue;
        KbTerm t = term_for(vw, false, flavour);
        const bool dup = std::any_of(g.terms.begin(), g.terms.end(), [&](const KbTerm& x) { return x.text == t.text; });
        if (!dup) g.terms.push_back(std::move(t));
      }
    }
    q.groups.push_back(std::move(g));
  }
  return q;
}

std::string fts5_group_match(const KbGroup& group) {
  std::string out;
  for (const KbTerm& t : group.terms) {
    if (!out.empty()) out += " OR ";
    quote_into(out, t.text);
    if (t.prefix) out += '*';
  }
  return out;
}

std::string fts5_match(const KbQuery& query) {
  std::string out;
  for (const KbGroup& g : query.groups) {
    if (!out.empty()) out += " OR ";
    out += '(';
    out += fts5_group_match(g);
    out += ')';
  }
  return out;
}

double kb_match_confidence(std::size_t matched_groups, std::size_t groups) {
  if (groups == 0) return 0;
  const double share = static_cast<double>(std::min(matched_groups, groups)) / static_cast<double>(groups);
  return groups >= 2 && matched_groups <= 1 ? share * 0.5 : share;
}

}  // namespace parley
