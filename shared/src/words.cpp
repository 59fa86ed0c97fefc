// Words of customer text (parley/words.hpp).
#include "parley/words.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace parley {
namespace {

// One decoded UTF-8 code point and its length in bytes (invalid bytes decode as U+FFFD, length 1).
struct Decoded {
  char32_t cp;
  std::size_t len;
};

Decoded decode(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  auto cont = [&](std::size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  auto bits = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F); };
  if (b < 0x80) return {b, 1};
  if ((b & 0xE0) == 0xC0 && cont(1)) return {(static_cast<char32_t>(b & 0x1F) << 6) | bits(1), 2};
  if ((b & 0xF0) == 0xE0 && cont(1) && cont(2))
    return {(static_cast<char32_t>(b & 0x0F) << 12) | (bits(1) << 6) | bits(2), 3};
  if ((b & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3))
    return {(static_cast<char32_t>(b & 0x07) << 18) | (bits(1) << 12) | (bits(2) << 6) | bits(3), 4};
  return {0xFFFD, 1};
}

// Latin-1 Supplement letters U+00C0..U+00FF, folded ("" = not a letter: a separator).
constexpr std::array<const char*, 64> kLatin1 = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  // C0-CF
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0-DF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  // E0-EF
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y",   // F0-FF
};

// Latin Extended-A U+0100..U+017F: the base letter of each range.
struct Range {
  char32_t last;
  const char* base;
};
constexpr std::array<Range, 24> kLatinA = {{
    {0x0105, "a"}, {0x010D, "c"}, {0x0111, "d"}, {0x011B, "e"}, {0x0123, "g"}, {0x0127, "h"},
    {0x0131, "i"}, {0x0133, "ij"}, {0x0135, "j"}, {0x0138, "k"}, {0x0142, "l"}, {0x014B, "n"},
    {0x0151, "o"}, {0x0153, "oe"}, {0x0159, "r"}, {0x0161, "s"}, {0x0167, "t"}, {0x0173, "u"},
    {0x0175, "w"}, {0x0178, "y"}, {0x017E, "z"}, {0x017F, "s"}, {0x017F, "s"}, {0x017F, "s"},
}};

bool is_apostrophe(char32_t cp) { return cp == '\'' || cp == 0x2019 || cp == 0x02BC; }

// What a code point contributes to a word: its folded text, "" for a separator. Letters of other
// scripts are kept as they are (their UTF-8 bytes).
std::string fold(char32_t cp, std::string_view raw) {
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    if (c >= 'A' && c <= 'Z') return std::string(1, static_cast<char>(c - 'A' + 'a'));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return std::string(1, c);
    return {};
  }
  if (cp < 0xC0) return {};  // controls, NBSP, ¿ ¡ « » ° ...
  if (cp <= 0xFF) return kLatin1[cp - 0xC0];
  if (cp <= 0x17F) {
    for (const Range& r : kLatinA)
      if (cp <= r.last) return r.base;
  }
  if (cp >= 0x2000 && cp <= 0x2BFF) return {};  // punctuation, symbols, arrows, dingbats
  if (cp >= 0x3000 && cp <= 0x303F) return {};  // CJK punctuation
  if (cp >= 0xFE00 && cp <= 0xFE0F) return {};  // variation selectors
  if (cp >= 0x1F000) return {};                  // emoji and pictographs
  if (cp == 0xFFFD) return {};
  return std::string(raw);
}

// English negative contractions: the word before "n't" and what it means.
struct Contraction {
  std::string_view head;  // "don" of "don't"
  std::string_view word;  // "do"
};
constexpr std::array<Contraction, 16> kNegatives = {{
    {"don", "do"},     {"doesn", "does"},   {"didn", "did"},     {"can", "can"},
    {"couldn", "could"}, {"won", "will"},   {"wouldn", "would"}, {"isn", "is"},
    {"aren", "are"},   {"wasn", "was"},     {"weren", "were"},   {"shouldn", "should"},
    {"haven", "have"}, {"hasn", "has"},     {"hadn", "had"},     {"ain", "is"},
}};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

bool has_vowel(std::string_view s) { return std::any_of(s.begin(), s.end(), is_vowel); }

// "shipp" -> "ship" after a suffix went: a doubled final consonant (not "ll" of "all", "ss").
void undouble(std::string& w) {
  if (w.size() < 4) return;
  const char a = w[w.size() - 1], b = w[w.size() - 2];
  if (a == b && !is_vowel(a) && a != 's' && a != 'z' && a != 'l') w.pop_back();
}

constexpr auto kStopWords = std::to_array<std::string_view>({
    // English
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "i", "me", "my",
    "you", "your", "we", "our", "us", "it", "its", "this", "that", "these", "those", "what", "how",
    "when", "where", "why", "who", "which", "can", "could", "would", "should", "will", "there",
    "please", "pls", "hi", "hello", "hey", "thanks", "thank", "about", "need", "want", "get", "so",
    "just", "have", "has", "had", "im", "ive", "id", "any", "some", "there", "here", "they", "them",
    "their", "he", "she", "his", "her", "as", "not", "no", "yes", "ok", "okay", "also", "too",
    "very", "really", "still", "now", "then", "than", "into", "out", "up", "down", "over", "again",
    "one", "all", "much", "many", "more", "most", "know", "tell", "like", "let", "make", "way",
    "thing", "something", "anything", "help", "long", "take", "takes", "wondering", "wonder", "after",
    "before", "look", "looking",
    // Spanish
    "el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "y", "o", "en", "que", "es",
    "por", "para", "con", "mi", "mis", "su", "sus", "se", "lo", "al", "como", "pero", "hola",
    "gracias", "favor", "me", "yo", "tengo", "puedo",
    // French
    "le", "les", "des", "du", "et", "ou", "est", "pour", "avec", "mon", "ma", "mes", "je", "vous",
    "nous", "il", "elle", "ce", "cette", "qui", "quoi", "sur", "pas", "ne", "bonjour", "merci",
    "comment", "dans", "au", "aux", "votre", "vos", "suis",
    // German
    "der", "die", "das", "den", "dem", "ein", "eine", "einen", "und", "oder", "ist", "sind", "ich",
    "mein", "meine", "sie", "wir", "es", "zu", "mit", "fur", "auf", "von", "wie", "was", "nicht",
    "hallo", "danke", "bitte", "kann", "ihr", "ihre",
    // Portuguese
    "os", "as", "um", "uma", "da", "do", "das", "dos", "e", "em", "na", "no", "nas", "nos", "meu",
    "minha", "obrigado", "obrigada", "ola", "voce", "eu", "posso",
});

}  // namespace

std::vector<std::string> fold_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    const Decoded d = decode(text, i);
    const std::string_view raw = text.substr(i, d.len);
    i += d.len;
    if (is_apostrophe(d.cp)) {
      // "don't": the head becomes its word and "not" follows; other apostrophes split.
      const bool negative_t = i < text.size() && (text[i] == 't' || text[i] == 'T') &&
                              (i + 1 >= text.size() || fold(decode(text, i + 1).cp, "").empty());
      if (negative_t) {
        for (const Contraction& c : kNegatives) {
          if (current == c.head) {
            current = std::string(c.word);
            flush();
            words.emplace_back("not");
            ++i;  // the 't'
            break;
          }
        }
      }
      flush();
      continue;
    }
    const std::string f = fold(d.cp, raw);
    if (f.empty()) {
      flush();
    } else {
      current += f;
    }
  }
  flush();
  return words;
}

std::string stem_word(std::string_view word) {
  std::string w(word);
  if (w.size() <= 3) return w;
  if (std::any_of(w.begin(), w.end(), [](char c) { return (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80; }))
    return w;
  // The longest suffix first; each needs a stem of 3+ letters with a vowel.
  auto strip = [&](std::string_view suffix, std::string_view replacement, bool then_undouble) {
    if (!ends_with(w, suffix)) return false;
    const std::string_view stem = std::string_view(w).substr(0, w.size() - suffix.size());
    if (stem.size() < 3 || !has_vowel(stem)) return false;
    w = std::string(stem) + std::string(replacement);
    if (then_undouble) undouble(w);
    return true;
  };
  bool done = strip("ations", "", true) || strip("ation", "", true) || strip("ements", "", false) ||
              strip("ement", "", false) || strip("ments", "", false) || strip("ment", "", false) ||
              strip("ings", "", true) || strip("ing", "", true) || strip("edly", "", true) ||
              strip("ies", "y", false) || strip("ied", "y", false) || strip("ed", "", true) ||
              strip("ers", "", true) || strip("er", "", true) || strip("ly", "", false);
  if (!done && ends_with(w, "es") && w.size() > 4) {
    const std::string_view before = std::string_view(w).substr(0, w.size() - 2);
    if (ends_with(before, "s") || ends_with(before, "x") || ends_with(before, "z") || ends_with(before, "ch") ||
        ends_with(before, "sh")) {
      w.resize(w.size() - 2);
    } else {
      w.pop_back();  // "charges" -> "charge" (its "e" goes below)
    }
    done = true;
  }
  if (!done && ends_with(w, "s") && !ends_with(w, "ss") && !ends_with(w, "us") && !ends_with(w, "is") &&
      w.size() > 3) {
    w.pop_back();
  }
  if (w.size() > 4 && w.back() == 'e') w.pop_back();  // "charge", "charged", "charging" -> "charg"
  // "small" and "smaller", "cancel" and "cancelled": one final l.
  if (w.size() > 4 && ends_with(w, "ll")) w.pop_back();
  return w;
}

bool is_stop_word(std::string_view w) {
  return std::find(kStopWords.begin(), kStopWords.end(), w) != kStopWords.end();
}

std::string guess_language(std::string_view text) {
  struct Lang {
    std::string_view code;
    std::array<std::string_view, 24> words;
  };
  static constexpr std::array<Lang, 5> kLangs = {{
      {"en", {"the", "is", "my", "i", "you", "and", "to", "of", "it", "for", "do", "can", "how", "what", "with",
              "have", "not", "are", "this", "on", "your", "me", "please", "a"}},
      {"es", {"el", "la", "los", "las", "es", "mi", "que", "de", "y", "en", "por", "para", "con", "como", "no",
              "puedo", "quiero", "hola", "gracias", "un", "una", "cuanto", "tengo", "se"}},
      {"fr", {"le", "la", "les", "est", "mon", "ma", "que", "de", "et", "je", "vous", "pour", "avec", "comment",
              "pas", "ne", "bonjour", "merci", "un", "une", "des", "du", "combien", "suis"}},
      {"de", {"der", "die", "das", "ist", "mein", "meine", "und", "ich", "sie", "zu", "mit", "fur", "wie", "nicht",
              "kann", "hallo", "danke", "ein", "eine", "bitte", "wir", "unser", "muss", "auf"}},
      {"pt", {"o", "a", "os", "as", "e", "meu", "minha", "que", "de", "em", "para", "com", "como", "nao", "posso",
              "quero", "ola", "obrigado", "um", "uma", "quanto", "do", "da", "preciso"}},
  }};
  const std::vector<std::string> words = fold_words(text);
  std::string_view best;
  int best_n = 0, second_n = 0;
  for (const Lang& l : kLangs) {
    int n = 0;
    for (const std::string& w : words)
      if (std::find(l.words.begin(), l.words.end(), w) != l.words.end()) ++n;
    if (n > best_n) {
      second_n = best_n;
      best_n = n;
      best = l.code;
    } else if (n > second_n) {
      second_n = n;
    }
  }
  return best_n >= 2 && best_n > second_n ? std::string(best) : std::string();
}

}  // namespace parley
