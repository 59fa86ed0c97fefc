// parley/handoff_rules.hpp: the built-in assistant's three-way decision after a customer message:
// answer it, offer a person (once per conversation), or hand off at once. Pure; the relay's
// built-in assistant calls it on the loop thread, the evaluation tool scores it (make eval).
//
// The rules read what a person means, not single words (docs/architecture.md "The built-in
// assistant"), in English, Spanish, French, German and Portuguese:
// - a request for a person ("Agent", "can I talk to a human", "hablar con un agente", "parler à un
//   conseiller", "mit einem Mitarbeiter sprechen", "falar com um atendente") hands off at once,
//   unless it is negated ("no need for an agent", "I don't want a person"), reported ("the agent
//   told me to ...") or a question about staff ("are your agents available on Sundays?");
// - topics that always go to people hand off at once with a priority: emergencies and security
//   (urgent), billing disputes and complaints (high), call-back requests, a named team;
// - frustration (negative sentiment, "you're not helping", "I already tried that"), repeated
//   failure (the assistant could not answer twice in a row) and insisting after a weak match offer
//   a person; once offered, a yes hands off and a no goes on;
// - everything else is answered (with an article, or a clarifying question).
// A tenant adds phrases per decision (HandoffConfig) that win over the built-in ones.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley {

enum class HandoffDecision { answer, offer, handoff };
std::string_view to_string(HandoffDecision d);

// Why, as a stable code (stored on the turn, shown in the hand-off summary, scored by make eval).
inline constexpr std::string_view kRuleAsked = "customer_asked";
inline constexpr std::string_view kRuleEmergency = "emergency";
inline constexpr std::string_view kRuleBillingDispute = "billing_dispute";
inline constexpr std::string_view kRuleComplaint = "complaint";
inline constexpr std::string_view kRuleCallBack = "call_back";
inline constexpr std::string_view kRuleNamedTeam = "named_team";
inline constexpr std::string_view kRuleTenantPhrase = "tenant_phrase";
inline constexpr std::string_view kRuleFrustration = "frustration";
inline constexpr std::string_view kRuleRepeatedFailure = "repeated_failure";
inline constexpr std::string_view kRuleAcceptedOffer = "accepted_offer";
inline constexpr std::string_view kRuleMaxTurns = "max_turns";

// A tenant's additions, all optional. Phrases are matched as whole words after folding
// (parley/words.hpp), so "Reclamação" matches "reclamacao".
struct HandoffConfig {
  std::vector<std::string> handoff_phrases;  // always hand off ("legal department", ...)
  std::vector<std::string> offer_phrases;    // offer a person
  std::vector<std::string> answer_phrases;   // never a hand-off by themselves ("agent login")
  int max_assistant_turns = 0;               // 0 = no limit; after this many turns: offer
  int unanswered_to_offer = 2;               // consecutive unanswered turns before the offer
  int reasks_to_offer = 2;                   // the customer asked the same thing this often again
};

// What the assistant knows about the conversation so far.
struct HandoffContext {
  std::vector<std::string> earlier_turns;  // the customer's earlier messages, oldest first
  int assistant_turns = 0;                 // replies the assistant gave so far
  int unanswered_turns = 0;                // consecutive replies that answered nothing
  int reasks = 0;                          // consecutive messages asking the same thing again
  bool offered = false;                    // the assistant already offered a person
  bool weak_match = false;                 // this message's best article is weak or ambiguous
  bool answered = false;                   // this message has a good article
};

struct HandoffVerdict {
  HandoffDecision decision = HandoffDecision::answer;
  std::string rule;             // one of kRule*, "" for a plain answer
  std::string priority;         // "urgent" | "high" | "normal" | "" (answer)
  std::string team;             // a team named by the customer ("billing", "sales", ...), or ""
  double sentiment = 0;         // -1 (angry) .. +1 (pleased): sentiment_of(text)
  bool negated_request = false; // the message mentions a person but does not want one
};

HandoffVerdict decide_handoff(std::string_view text, const HandoffContext& ctx, const HandoffConfig& config = {});

// Lexicon sentiment of one message, -1..+1 (0 = neutral or unknown): negative and positive words
// of the five languages, negation flips the next sentiment word, "!!" and shouting strengthen.
double sentiment_of(std::string_view text);

// True when the message is a yes to an offer ("yes please", "sí", "oui", "ja", "sim", "ok").
bool is_yes(std::string_view text);
// True when the message is a no ("no thanks", "não", "nein", "non").
bool is_no(std::string_view text);

}  // namespace parley
