// parley/assistant_turn.hpp: one turn of the built-in assistant, from a customer message to what it
// does: answer with an article, a greeting reply or a clarifying question, offer a person, or hand
// off. Pure; the relay's built-in assistant (relay/src/app/assistant/) runs it on the loop thread
// and `make eval` (tools/eval) scores it through the relay. The state between turns is the
// caller's (AssistantMemory), kept per conversation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/handoff_rules.hpp"
#include "parley/kb_search.hpp"

namespace parley {

// What the assistant remembers of one conversation between turns.
struct AssistantMemory {
  std::vector<std::string> earlier_turns;  // the customer's messages so far, oldest first
  int assistant_turns = 0;
  int unanswered_turns = 0;  // consecutive clarifying questions
  int reasks = 0;            // consecutive messages on the same thing (the answers did not help)
  std::vector<std::string> last_stems;  // content stems of the previous message
  bool offered = false;      // a person was offered once already
};

enum class TurnKind { article, small_talk, clarify, offer, handoff };
std::string_view to_string(TurnKind k);

struct AssistantTurn {
  TurnKind kind = TurnKind::clarify;
  std::optional<std::size_t> article;  // index into the knowledge base (kind article)
  HandoffVerdict verdict;              // the rule that decided, priority, team, sentiment
  double confidence = 0;               // of the knowledge match, 0..1
};

// Decides the turn for `text` and updates `memory` for the next one.
AssistantTurn assistant_turn(std::string_view text, const KbIndex& kb, AssistantMemory& memory,
                             const HandoffConfig& config = {});

// True for greetings, thanks and goodbyes alone ("hi", "thanks!", "ok bye", "Bonjour", "Danke").
bool is_small_talk(std::string_view text);

}  // namespace parley
