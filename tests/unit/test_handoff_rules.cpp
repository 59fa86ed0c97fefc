// parley/handoff_rules.hpp, parley/words.hpp, parley/kb_search.hpp, parley/assistant_turn.hpp: the
// built-in assistant's decisions, one failure class of issue 10 per case. (The labelled set of
// tests/eval scores the same code at scale: make eval.)
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parley/assistant_turn.hpp"
#include "parley/handoff_rules.hpp"
#include "parley/kb_search.hpp"
#include "parley/words.hpp"

using namespace parley;

namespace {

HandoffDecision decide(std::string_view text, HandoffContext ctx = {}) { return decide_handoff(text, ctx).decision; }
std::string rule(std::string_view text, HandoffContext ctx = {}) { return decide_handoff(text, ctx).rule; }

}  // namespace

TEST_CASE("words: folded, accents gone, contractions give their not") {
  CHECK(fold_words("Ação, Straße & MÜLLER!") == std::vector<std::string>{"acao", "strasse", "muller"});
  CHECK(fold_words("I don't want an agent") == std::vector<std::string>{"i", "do", "not", "want", "an", "agent"});
  CHECK(fold_words("can\u2019t log in") == std::vector<std::string>{"can", "not", "log", "in"});
  CHECK(fold_words("l'agent 🙏 ok") == std::vector<std::string>{"l", "agent", "ok"});
  CHECK(fold_words("Привет мир") == std::vector<std::string>{"Привет", "мир"});  // other scripts kept
}

TEST_CASE("words: stems meet word forms") {
  for (auto [a, b] : std::vector<std::pair<const char*, const char*>>{
           {"reviewed", "review"}, {"reviewers", "review"}, {"shipping", "ship"}, {"shipped", "ship"},
           {"cancelled", "cancel"}, {"cancellation", "cancel"}, {"refunds", "refund"}, {"refunded", "refund"},
           {"charges", "charge"}, {"charging", "charged"}, {"batteries", "battery"}, {"smaller", "small"}}) {
    const std::string form = a, base = b;  // named copies: clang 14 cannot capture bindings
    CAPTURE(form);
    CHECK(stem_word(form) == stem_word(base));
  }
  CHECK(stem_word("status") == "status");  // no "statu"
  CHECK(stem_word("need") == "need");
  CHECK(stem_word("4g") == "4g");
}

TEST_CASE("words: the language of a message by its function words") {
  CHECK(guess_language("How do I reset my password?") == "en");
  CHECK(guess_language("¿Cómo pido cita con la enfermera?") == "es");
  CHECK(guess_language("Combien coûte le retour depuis la Belgique ?") == "fr");
  CHECK(guess_language("Muss ich bei der Lieferung Zoll zahlen, und wie?") == "de");
  CHECK(guess_language("Não preciso de ajuda, só quero saber o preço") == "pt");
  CHECK(guess_language("ok") == "");
}

TEST_CASE("seed 004: \"Agent\" hands off, \"no need for an agent\" does not") {
  CHECK(decide("Agent") == HandoffDecision::handoff);
  CHECK(decide("Agent, I need help") == HandoffDecision::handoff);
  CHECK(decide("AGENT!!! HELLO??") == HandoffDecision::handoff);
  CHECK(decide("no need for an agent") == HandoffDecision::answer);
  CHECK(decide("no need for an agent, how do I turn voicemail off?") == HandoffDecision::answer);
  CHECK(decide_handoff("no need for an agent", {}).negated_request);
}

TEST_CASE("direct requests in five languages hand off; negated ones do not") {
  for (const char* text : {"Can I speak with a customer care advisor?", "I need to talk to someone, not a chatbot",
                           "human please", "Is it possible to speak to a real person? Thanks",
                           "Is there someone I can talk to?", "No, I want an agent", "¿Puedo hablar con alguien?",
                           "Un agent, s'il vous plaît", "Kann ich bitte mit einem Menschen sprechen?",
                           "Gostaria de falar com uma pessoa", "quiero hablar con un agente"}) {
    CAPTURE(text);
    CHECK(decide(text) == HandoffDecision::handoff);
    CHECK(rule(text) == kRuleAsked);
  }
  for (const char* text : {"I don't want to bother a person with this, do gift cards expire?", "no agent thanks",
                           "I'd rather not speak to anyone, where do I update our card?",
                           "No hace falta un agente, ¿cuánto tarda la receta?",
                           "Je n'ai pas besoin d'un conseiller, mon Wi-Fi se coupe",
                           "Kein Mitarbeiter nötig, wo trage ich unsere USt-IdNr. ein?",
                           "Não preciso de ajuda humana"}) {
    CAPTURE(text);
    CHECK(decide(text) == HandoffDecision::answer);
  }
}

TEST_CASE("reported speech and questions about staff are not requests") {
  for (const char* text : {"An agent told me last month the export link lasts a week", "the agent said to reinstall",
                           "Are your advisers available on Sundays?", "Does a person check the reviews?",
                           "Sprechen Ihre Mitarbeiter Deutsch?", "my travel agent booked this",
                           "How big is your support team?"}) {
    CAPTURE(text);
    CHECK(decide(text) == HandoffDecision::answer);
  }
}

TEST_CASE("topics that go to people hand off at once, with a priority") {
  struct Case {
    const char* text;
    std::string_view rule;
    const char* priority;
  };
  for (const Case& c : std::vector<Case>{
           {"I've cut my hand really badly and it won't stop bleeding", kRuleEmergency, "urgent"},
           {"can't breathe properly, inhaler isn't helping", kRuleEmergency, "urgent"},
           {"Jemand hat sich in unser Konto gehackt!", kRuleEmergency, "urgent"},
           {"Two payments of £45 went out for one order", kRuleBillingDispute, "high"},
           {"Fui cobrado duas vezes este mês", kRuleBillingDispute, "high"},
           {"I want to make a complaint about the state my sofa arrived in", kRuleComplaint, "high"},
           {"Can I have a callback please?", kRuleCallBack, "normal"},
           {"Rappelez-moi s'il vous plaît", kRuleCallBack, "normal"},
           {"accounts department please", kRuleNamedTeam, "normal"},
           {"Put me through to the broadband faults team", kRuleNamedTeam, "normal"},
       }) {
    CAPTURE(c.text);
    const HandoffVerdict v = decide_handoff(c.text, {});
    CHECK(v.decision == HandoffDecision::handoff);
    CHECK(v.rule == c.rule);
    CHECK(v.priority == c.priority);
  }
  CHECK(decide_handoff("can I talk to billing", {}).team == "billing");
  // Questions about these topics are answered.
  CHECK(decide("What number should I call in an emergency?") == HandoffDecision::answer);
  CHECK(decide("Will the doctor's number show up when they ring me?") == HandoffDecision::answer);
  CHECK(decide("No need to put me through to reception, I just want to cancel") == HandoffDecision::answer);
}

TEST_CASE("frustration offers a person once; a yes then hands off") {
  HandoffContext after;
  after.earlier_turns = {"my voicemail PIN doesn't work"};
  CHECK(decide("This chat is no use to me") == HandoffDecision::offer);
  CHECK(decide("nope. still not working. useless", after) == HandoffDecision::offer);
  CHECK(decide("bit annoyed the colour looks different") == HandoffDecision::offer);
  // A first description of a problem is a question, not frustration.
  CHECK(decide("the link to the label doesn't work, what should I do?") == HandoffDecision::answer);
  HandoffContext offered = after;
  offered.offered = true;
  CHECK(decide("still not working. useless", offered) == HandoffDecision::answer);  // offered once only
  CHECK(decide("yes please", offered) == HandoffDecision::handoff);
  CHECK(rule("yes please", offered) == kRuleAcceptedOffer);
  CHECK(decide("no thanks", offered) == HandoffDecision::answer);
}

TEST_CASE("sentiment: negative, positive, negated, shouted") {
  CHECK(sentiment_of("this is useless and terrible") < -0.5);
  CHECK(sentiment_of("great, thanks!") > 0.5);
  CHECK(sentiment_of("not bad at all") > 0);
  CHECK(sentiment_of("no thanks") >= 0);
  CHECK(sentiment_of("how do I reset my password") == 0);
}

namespace {

std::vector<KbArticle> kb() {
  return {
      {"returns", "Our 30-day returns policy", "Send back most items within 30 days for a refund.", {"return"}, "en"},
      {"refund-time", "When your refund arrives", "Refunds are paid 3-5 days after we receive the parcel.",
       {"refund"}, "en"},
      {"reviews", "Product reviews", "Reviewers can edit a review within 7 days.", {"review"}, "en"},
      {"cancel", "Cancelling an order", "Orders can be cancelled until they ship.", {"cancel"}, "en"},
      {"retours-fr", "Retours depuis la Belgique", "Un retour depuis la Belgique coûte 4,95 EUR.", {"retour"}, "fr"},
      {"shipping", "Delivery to the EU", "We ship to every EU country in 3-5 working days.", {"shipping", "eu"}, "en"},
  };
}
std::string top(const KbIndex& index, const std::vector<KbArticle>& articles, std::string_view q) {
  const KbAnswer a = choose_answer(index.search(q));
  return a.best ? articles[a.best->index].id : a.ambiguous ? "(ambiguous)" : "(none)";
}

}  // namespace

TEST_CASE("kb search: rare words decide, word forms and typos meet, other languages score less") {
  const std::vector<KbArticle> articles = kb();
  const KbIndex index(articles);
  CHECK(top(index, articles, "Can reviewers edit what they wrote?") == "reviews");
  CHECK(top(index, articles, "how do i cancle my order") == "cancel");  // one edit away
  CHECK(top(index, articles, "when will my refund arrive?") == "refund-time");
  CHECK(top(index, articles, "Combien coûte le retour depuis la Belgique ?") == "retours-fr");
  CHECK(top(index, articles, "Do you have a shop in Leicester I can visit?") == "(none)");
  CHECK(top(index, articles, "") == "(none)");
  // Synonyms per tenant.
  const KbIndex with(articles, Synonyms{{"telly", {"review"}}});
  CHECK(index.search("telly").empty());
  CHECK(!with.search("telly").empty());
}

TEST_CASE("assistant turns: small talk, articles, clarifying, then the offer after asking again") {
  const std::vector<KbArticle> articles = kb();
  const KbIndex index(articles);
  AssistantMemory m;
  CHECK(assistant_turn("Hi there", index, m).kind == TurnKind::small_talk);
  const AssistantTurn a = assistant_turn("when does my refund arrive", index, m);
  REQUIRE(a.kind == TurnKind::article);
  CHECK(articles[*a.article].id == "refund-time");
  AssistantMemory n;
  CHECK(assistant_turn("Can I order fabric samples?", index, n).kind == TurnKind::clarify);
  CHECK(assistant_turn("for the curtains", index, n).kind == TurnKind::offer);
  CHECK(n.offered);
  CHECK(assistant_turn("samples of the velvet?", index, n).kind == TurnKind::clarify);  // no second offer
  CHECK(assistant_turn("yes", index, n).kind == TurnKind::handoff);
}
