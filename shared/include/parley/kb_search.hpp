// parley/kb_search.hpp: ranking a tenant's knowledge-base articles for a customer's question, for
// the built-in assistant (and the copilot's "relevant articles"). Pure, in memory: the relay
// keeps each tenant's articles on its loop thread and builds one index per change.
//
// Ranking is BM25 (k1 1.2, b 0.75, the formula of SQLite FTS5's bm25()) over stemmed words
// (parley/words.hpp) without stop words, with the title and keywords weighing three times the
// body, plus per-tenant synonyms (a question word also counts as each of its synonyms). Rare
// words therefore decide and common ones barely count; "reviewed" meets "review". A question word
// the articles never use is matched to a known word one edit away ("cancle" -> "cancel"), at a
// lower weight. An article in another language than the question's (parley::guess_language)
// scores less. Ties are not broken by order: two articles within kTieMargin of each other are
// reported as ambiguous. Coverage tells a question the knowledge base does not answer: words it
// never uses ("Leicester", "pierced") weigh as much as the rarest known ones.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/assistant_rules.hpp"

namespace parley {

struct KbHit {
  std::size_t index = 0;  // into the articles the index was built from
  double score = 0;       // BM25, > 0 (halved-ish for an article in another language)
  double coverage = 0;    // 0..1: the share of the question's word weight (IDF) the article has
  double strength = 0;    // score / the IDF of a word only one article has: comparable across sizes
};

// Synonyms per tenant: each key word (any form) is also searched as its values. {"bill":
// ["invoice"], "telly": ["tv"]}. Applied to questions only.
using Synonyms = std::map<std::string, std::vector<std::string>>;

class KbIndex {
 public:
  KbIndex() = default;
  // `articles` must outlive the index only for the caller's use of KbHit::index.
  explicit KbIndex(const std::vector<KbArticle>& articles, const Synonyms& synonyms = {});

  // The best articles for `question`, best first, at most `limit`; none when no content word of
  // the question occurs in any article.
  std::vector<KbHit> search(std::string_view question, std::size_t limit = 3) const;

  std::size_t size() const { return docs_.size(); }

 private:
  struct Doc {
    std::map<std::string, double> tf;  // stem -> weighted count (title and keywords x3)
    double length = 0;
  };
  std::vector<Doc> docs_;
  std::vector<std::string> languages_;
  std::map<std::string, int> df_;
  std::map<std::string, std::vector<std::string>> synonyms_;  // stem -> stems
  double avg_length_ = 0;
};

// The decision about the best hit, with thresholds kept here so tests and the evaluation tool
// share them.
struct KbAnswer {
  std::optional<KbHit> best;  // the article to answer with; nullopt: nothing good enough
  bool ambiguous = false;     // two close candidates: ask which one is meant
  double confidence = 0;      // 0..1, best score against the strong-match score
};
inline constexpr double kMinAnswerStrength = 1.1;  // below: a weak match (1.1 x 2.6 = 2.9 for 20 articles)
inline constexpr double kMinCoverage = 0.30;    // less of the question covered: not an answer
inline constexpr double kTieMargin = 0.01;      // within 1% of the best: a tie
KbAnswer choose_answer(const std::vector<KbHit>& hits);

}  // namespace parley
