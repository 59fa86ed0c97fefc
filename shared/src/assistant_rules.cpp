// The built-in assistant's rules (parley/assistant_rules.hpp).
#include "parley/assistant_rules.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "parley/text.hpp"

namespace parley {
namespace {

// ---- Words --------------------------------------------------------------------------------

bool is_word_byte(unsigned char b) {
  // ASCII letters and digits; bytes of non-ASCII characters belong to words too ("café").
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b >= 0x80;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Lower-case words of `text`; ASCII punctuation and whitespace separate words.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (const char c : text) {
    if (is_word_byte(static_cast<unsigned char>(c))) {
      current += ascii_lower(c);
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

bool contains_sequence(const std::vector<std::string>& words,
                       std::initializer_list<std::string_view> phrase) {
  if (phrase.size() == 0 || words.size() < phrase.size()) return false;
  for (std::size_t i = 0; i + phrase.size() <= words.size(); ++i) {
    if (std::equal(phrase.begin(), phrase.end(), words.begin() + static_cast<std::ptrdiff_t>(i))) return true;
  }
  return false;
}

// ---- Asking for a person ------------------------------------------------------------------

// One of these words anywhere is enough.
constexpr auto kPersonWords =
    std::to_array<std::string_view>({"agent", "agents", "human", "humans", "person", "representative",
                                     "representatives", "operator", "operators", "rep", "staff"});

bool mentions_person_word(const std::vector<std::string>& words) {
  return std::any_of(words.begin(), words.end(), [](const std::string& w) {
    return std::find(kPersonWords.begin(), kPersonWords.end(), w) != kPersonWords.end();
  });
}

// "talk to someone", "speak with anyone", "chat to a real ..."
bool asks_to_talk_to_someone(const std::vector<std::string>& words) {
  for (std::string_view verb : {"talk", "speak", "chat"}) {
    for (std::string_view preposition : {"to", "with"}) {
      for (std::string_view who : {"someone", "anyone", "somebody", "anybody"}) {
        if (contains_sequence(words, {verb, preposition, who})) return true;
      }
    }
  }
  return false;
}

// ---- Knowledge base matching --------------------------------------------------------------

constexpr auto kStopWords = std::to_array<std::string_view>(
    {"a",      "an",   "the",   "and",    "or",    "but",   "if",    "of",     "to",   "in",
     "on",     "at",   "for",   "with",   "by",    "from",  "is",    "are",    "was",  "were",
     "be",     "been", "am",    "do",     "does",  "did",   "i",     "me",     "my",   "you",
     "your",   "we",   "our",   "it",     "its",   "this",  "that",  "what",   "how",  "when",
     "where",  "why",  "who",   "which",  "can",   "could", "would", "should", "will", "there",
     "please", "hi",   "hello", "thanks", "about", "need",  "want",  "get"});

bool is_stop_word(std::string_view w) {
  return std::find(kStopWords.begin(), kStopWords.end(), w) != kStopWords.end();
}

// A crude stem so "refunds" meets "refund": drops one trailing "s" from longer words.
std::string stem(std::string w) {
  if (w.size() > 3 && w.back() == 's' && w[w.size() - 2] != 's') w.pop_back();
  return w;
}

// Distinct stemmed content words of `text`.
std::set<std::string> content_words(std::string_view text) {
  std::set<std::string> out;
  for (std::string& w : words_of(text)) {
    if (!is_stop_word(w)) out.insert(stem(std::move(w)));
  }
  return out;
}

constexpr int kStrongMatch = 2;  // the word is a keyword or in the title
constexpr int kWeakMatch = 1;    // the word is only in the body

int score_article(const std::set<std::string>& question, const KbArticle& article) {
  std::set<std::string> strong = content_words(article.title);
  for (const std::string& keyword : article.keywords) strong.merge(content_words(keyword));
  const std::set<std::string> weak = content_words(article.body);
  int score = 0;
  for (const std::string& w : question) {
    if (strong.count(w) != 0) {
      score += kStrongMatch;
    } else if (weak.count(w) != 0) {
      score += kWeakMatch;
    }
  }
  return score;
}

// ---- Hand-off summary ---------------------------------------------------------------------

constexpr std::size_t kSummaryMessages = 3;        // the customer's last messages
constexpr std::size_t kSummaryMessageChars = 120;  // code points per message

// `text` on one line: runs of ASCII whitespace become one space; trimmed.
std::string one_line(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (const char c : trim(text)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      pending_space = true;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string shortened(std::string_view text) {
  const std::string line = one_line(text);
  const std::string_view kept = truncate_code_points(line, kSummaryMessageChars);
  if (kept.size() == line.size()) return line;
  return std::string(trim(kept)) + "\u2026";
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// The reason code of a hand-off as a sentence ("" for none).
std::string handoff_reason_sentence(std::string_view reason) {
  if (reason.empty()) return {};
  if (reason == "customer_asked") return "The customer asked for a person.";
  if (reason == "assistant_gave_up") return "The assistant could not answer.";
  if (reason == "staff_took_over") return "Staff took over from the assistant.";
  if (reason == "mirror_handoff") return "The external assistant handed over.";
  if (reason == "no_assistant") return "No assistant: queued for the team.";
  std::string words = one_line(reason);
  std::replace(words.begin(), words.end(), '_', ' ');
  return "Handed off (" + words + ").";
}

}  // namespace

bool asks_for_person(std::string_view text) {
  const std::vector<std::string> words = words_of(text);
  return mentions_person_word(words) || asks_to_talk_to_someone(words);
}

std::optional<KbMatch> best_article(std::string_view question, const std::vector<KbArticle>& kb,
                                    int min_score) {
  const std::set<std::string> words = content_words(question);
  std::optional<KbMatch> best;
  for (const KbArticle& article : kb) {
    const int score = score_article(words, article);
    // Strictly better only: on a tie the earlier article wins.
    if (score >= min_score && (!best || score > best->score)) best = KbMatch{&article, score};
  }
  return best;
}

std::string handoff_summary(const std::vector<std::string>& customer_messages,
                            const std::vector<std::string>& tried_titles, std::string_view reason) {
  std::vector<std::string> asked;
  const std::size_t first =
      customer_messages.size() > kSummaryMessages ? customer_messages.size() - kSummaryMessages : 0;
  for (std::size_t i = first; i < customer_messages.size(); ++i)
    asked.push_back(shortened(customer_messages[i]));
  std::vector<std::string> tried;
  for (const std::string& title : tried_titles) tried.push_back(one_line(title));

  // Sentences for a person reading the card, one per line: why, what they wrote, what was tried.
  std::vector<std::string> sections;
  sections.push_back(handoff_reason_sentence(reason));
  for (std::string& a : asked) a = "\u201c" + a + "\u201d";
  if (const std::string s = joined(asked, ", "); !s.empty()) sections.push_back("They wrote: " + s + ".");
  if (const std::string s = joined(tried, ", "); !s.empty())
    sections.push_back("The assistant suggested: " + s + ".");
  return joined(sections, "\n");
}

}  // namespace parley
