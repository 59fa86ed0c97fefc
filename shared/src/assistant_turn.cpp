// One turn of the built-in assistant (parley/assistant_turn.hpp).
#include "parley/assistant_turn.hpp"

#include <algorithm>
#include <array>

#include "parley/words.hpp"

namespace parley {

std::string_view to_string(TurnKind k) {
  switch (k) {
    case TurnKind::article: return "article";
    case TurnKind::small_talk: return "small_talk";
    case TurnKind::clarify: return "clarify";
    case TurnKind::offer: return "offer";
    case TurnKind::handoff: return "handoff";
  }
  return "clarify";
}

bool is_small_talk(std::string_view text) {
  static constexpr auto kWords = std::to_array<std::string_view>({
      "hi", "hello", "hey", "hiya", "yo", "morning", "good", "evening", "afternoon", "day", "thanks", "thank",
      "you", "ta", "cheers", "great", "brilliant", "perfect", "lovely", "nice", "ok", "okay", "cool", "sound",
      "alright", "bye", "goodbye", "see", "ya", "all", "sorted", "awesome", "much", "so", "very", "many", "a",
      "lot", "that", "s", "it", "is", "was", "helpful", "quick", "question", "coming", "there", "again",
      "hola", "buenos", "dias", "buenas", "tardes", "noches", "gracias", "adios", "vale", "muchas",
      "bonjour", "bonsoir", "salut", "merci", "beaucoup", "au", "revoir", "d", "accord",
      "hallo", "guten", "tag", "morgen", "abend", "danke", "schon", "tschuss", "das", "war", "s", "super",
      "ola", "bom", "dia", "boa", "tarde", "noite", "obrigado", "obrigada", "tchau", "valeu",
  });
  const std::vector<std::string> w = fold_words(text);
  if (w.empty()) return true;  // an emoji or punctuation alone
  return std::all_of(w.begin(), w.end(), [](const std::string& x) {
    return std::find(kWords.begin(), kWords.end(), x) != kWords.end();
  });
}

AssistantTurn assistant_turn(std::string_view text, const KbIndex& kb, AssistantMemory& memory,
                             const HandoffConfig& config) {
  AssistantTurn t;
  const bool small_talk = is_small_talk(text);
  const KbAnswer match = small_talk ? KbAnswer{} : choose_answer(kb.search(text));
  t.confidence = match.confidence;

  // Asked again? The message shares a content word with the previous one, is a short follow-up
  // fragment ("for Ubuntu"), or a nudge after several turns ("?", "hello??").
  std::vector<std::string> stems;
  for (const std::string& w : fold_words(text))
    if (!is_stop_word(w)) stems.push_back(stem_word(w));
  const bool follows = !memory.earlier_turns.empty();
  const bool overlap = std::any_of(stems.begin(), stems.end(), [&](const std::string& s) {
    return std::find(memory.last_stems.begin(), memory.last_stems.end(), s) != memory.last_stems.end();
  });
  const bool fragment = follows && !small_talk && stems.size() <= 3 && !match.best;
  const bool nudge = memory.earlier_turns.size() >= 2 && text.find('?') != std::string_view::npos &&
                     (small_talk || stems.empty());
  memory.reasks = follows && (overlap || fragment || nudge) ? memory.reasks + 1 : 0;
  memory.last_stems = stems;

  HandoffContext ctx;
  ctx.earlier_turns = memory.earlier_turns;
  ctx.assistant_turns = memory.assistant_turns;
  ctx.unanswered_turns = memory.unanswered_turns;
  ctx.reasks = memory.reasks;
  ctx.offered = memory.offered;
  ctx.answered = match.best.has_value() || small_talk;
  ctx.weak_match = !ctx.answered;
  t.verdict = decide_handoff(text, ctx, config);

  switch (t.verdict.decision) {
    case HandoffDecision::handoff:
      t.kind = TurnKind::handoff;
      break;
    case HandoffDecision::offer:
      t.kind = TurnKind::offer;
      memory.offered = true;
      break;
    case HandoffDecision::answer:
      if (small_talk) {
        t.kind = TurnKind::small_talk;
      } else if (match.best) {
        t.kind = TurnKind::article;
        t.article = match.best->index;
      } else {
        t.kind = TurnKind::clarify;
      }
      break;
  }
  memory.unanswered_turns = t.kind == TurnKind::clarify ? memory.unanswered_turns + 1 : 0;
  memory.earlier_turns.emplace_back(text);
  ++memory.assistant_turns;
  return t;
}

}  // namespace parley
