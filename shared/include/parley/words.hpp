// parley/words.hpp: words of customer text for the built-in assistant's rules (hand-off decision,
// knowledge-base search). Pure functions, no locale, the same natively and in WebAssembly.
//
// A word is a run of letters and digits. Text is lower-cased and Latin accents are folded
// ("Ação" -> "acao", "Straße" -> "strasse", "Müller" -> "muller"), so rules written in ASCII
// match every spelling; other scripts pass through unchanged (lower-casing is ASCII and Latin
// only). Apostrophes split words, but English negative contractions become two words ("don't" ->
// "do", "not"; "can't" -> "can", "not"), so negation rules see the "not".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley {

// The words of `text`, folded as above, in order.
std::vector<std::string> fold_words(std::string_view text);

// A light suffix-stripping stem for matching word forms: "reviewed", "reviews", "reviewing" ->
// "review"; "shipping", "shipped" -> "ship"; "cancellation", "cancelled" -> "cancel"; "refunds" ->
// "refund"; "batteries" -> "battery". Also strips the plural -s/-es of Spanish, French and
// Portuguese words. Words of 3 letters or fewer, and words with digits, are kept as they are. It
// is deliberately conservative: two different stems are better than one wrong merge.
std::string stem_word(std::string_view folded_word);

// True for the words that carry no topic in any of the supported languages ("the", "is", "my",
// "de", "la", "le", "der", "und", "o", ...). Used by search, not by the hand-off rules (which need
// "not", "no", "to", ...).
bool is_stop_word(std::string_view folded_word);

// The language of a customer's message among en, es, fr, de, pt, by its function words ("" when
// too few words tell: short messages, names, other languages).
std::string guess_language(std::string_view text);

}  // namespace parley
