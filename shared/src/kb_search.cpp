// Knowledge-base ranking (parley/kb_search.hpp).
#include "parley/kb_search.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "parley/words.hpp"

namespace parley {
namespace {

constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
constexpr double kStrongFieldWeight = 1.0;  // title and keywords against the body (more made the dev set worse)
constexpr double kStrongScore = 8.0;        // a score this high is confidence 1
constexpr std::size_t kShortQuestionWords = 5;

// Stems of the content words of `text`.
std::vector<std::string> stems_of(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& w : fold_words(text)) {
    if (is_stop_word(w) || w.size() < 2) continue;
    out.push_back(stem_word(w));
  }
  return out;
}

// Stems of words about the conversation rather than its topic.
bool is_chat_word(std::string_view stem) {
  static constexpr std::array<std::string_view, 40> kWords = {
      "agent", "human", "person", "someon", "anyon", "somebody", "anybody", "talk", "speak", "chat",
      "bother", "rather", "wonder", "quick", "question", "ask", "mind", "sorry", "actual", "real",
      "staff", "advisor", "advis", "rep", "operator", "bot", "chatbot", "wait", "hurry", "sure",
      "agente", "humano", "persona", "conseil", "mensch", "mitarbeit", "atendent", "pessoa", "falta", "hace"};
  return std::find(kWords.begin(), kWords.end(), stem) != kWords.end();
}

}  // namespace

KbIndex::KbIndex(const std::vector<KbArticle>& articles, const Synonyms& synonyms) {
  docs_.reserve(articles.size());
  double total = 0;
  for (const KbArticle& a : articles) {
    Doc d;
    for (const std::string& s : stems_of(a.title)) d.tf[s] += kStrongFieldWeight;
    for (const std::string& k : a.keywords)
      for (const std::string& s : stems_of(k)) d.tf[s] += kStrongFieldWeight;
    for (const std::string& s : stems_of(a.body)) d.tf[s] += 1.0;
    for (const auto& [stem, tf] : d.tf) {
      d.length += tf;
      ++df_[stem];
    }
    total += d.length;
    docs_.push_back(std::move(d));
    languages_.push_back(a.language);
  }
  avg_length_ = docs_.empty() ? 1 : total / static_cast<double>(docs_.size());
  for (const auto& [word, alternatives] : synonyms) {
    const std::vector<std::string> key = stems_of(word);
    if (key.size() != 1) continue;
    for (const std::string& alt : alternatives)
      for (const std::string& s : stems_of(alt)) synonyms_[key.front()].push_back(s);
  }
}

namespace {

// Damerau-Levenshtein distance of at most one (a swap, a letter more, less or changed).
bool one_edit(std::string_view a, std::string_view b) {
  if (a == b) return false;
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (a.size() == b.size()) {
    if (i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2)) return true;
    return a.substr(i + 1) == b.substr(i + 1);
  }
  return a.substr(i) == b.substr(i + 1);
}

}  // namespace

std::vector<KbHit> KbIndex::search(std::string_view question, std::size_t limit) const {
  constexpr double kFuzzyWeight = 0.8;
  std::map<std::string, double> terms;  // stem -> weight
  const std::vector<std::string> question_stems = stems_of(question);
  for (const std::string& s : question_stems) {
    terms[s] = 1.0;
    if (auto it = synonyms_.find(s); it != synonyms_.end())
      for (const std::string& alt : it->second) terms.emplace(alt, 1.0);
    if (df_.count(s) == 0) {
      if (s.size() >= 4) {
        for (const auto& [known, df] : df_)
          if (known.size() >= 3 && one_edit(s, known)) terms.emplace(known, kFuzzyWeight);
      }
    }
  }
  const double n = static_cast<double>(docs_.size());
  auto idf_of = [n](double df) { return std::log(1.0 + (n - df + 0.5) / (df + 0.5)); };
  // The question's weight: every distinct word once, unknown ones at the highest IDF.
  double question_weight = 0;
  const std::set<std::string> distinct(question_stems.begin(), question_stems.end());
  for (const std::string& s : distinct) {
    const auto df = df_.find(s);
    // Words of the conversation itself ("no need for a human", "I'd rather not bother anyone")
    // are not part of the question unless the articles use them.
    if (df == df_.end() && is_chat_word(s)) continue;
    question_weight += idf_of(df == df_.end() ? 0.0 : df->second);
  }
  const std::string language = guess_language(question);
  std::vector<KbHit> hits;
  for (std::size_t i = 0; i < docs_.size(); ++i) {
    const Doc& d = docs_[i];
    double score = 0, covered = 0;
    std::set<std::string> covered_words;
    for (const auto& [t, weight] : terms) {
      const auto tf = d.tf.find(t);
      if (tf == d.tf.end()) continue;
      const double idf = idf_of(df_.at(t));
      const double norm = kK1 * (1.0 - kB + kB * d.length / avg_length_);
      score += weight * idf * tf->second * (kK1 + 1.0) / (tf->second + norm);
      covered += weight * idf;
    }
    if (score <= 0) continue;
    if (!language.empty() && !languages_[i].empty() && languages_[i] != language) score *= 0.6;
    // Long questions carry context words no article needs: coverage speaks for short ones only.
    const double coverage = distinct.size() > kShortQuestionWords ? 1.0
                            : question_weight > 0                ? std::min(1.0, covered / question_weight)
                                                                 : 0.0;
    hits.push_back({i, score, coverage, score / idf_of(1.0)});
  }
  std::sort(hits.begin(), hits.end(), [](const KbHit& a, const KbHit& b) {
    return a.score != b.score ? a.score > b.score : a.index < b.index;
  });
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

KbAnswer choose_answer(const std::vector<KbHit>& hits) {
  KbAnswer a;
  if (hits.empty()) return a;
  a.confidence = std::min(1.0, hits.front().score / kStrongScore);
  if (hits.front().strength < kMinAnswerStrength || hits.front().coverage < kMinCoverage) return a;
  if (hits.size() > 1 && hits[1].score >= hits.front().score * (1.0 - kTieMargin)) {
    a.ambiguous = true;
    return a;
  }
  a.best = hits.front();
  return a;
}

}  // namespace parley
