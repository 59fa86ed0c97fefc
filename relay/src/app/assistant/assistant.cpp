#include "app/assistant/assistant.hpp"

#include <algorithm>
#include <cmath>

#include "parley/words.hpp"

namespace parley::relay {
namespace {

constexpr const char* kConnecting =
    "I'm connecting you with a member of our team. Someone will be with you shortly.";
constexpr const char* kEmergency =
    "If anyone is in danger, call your local emergency number now. I'm connecting you with a member "
    "of our team straight away.";
constexpr const char* kOffer = "Would you like me to connect you with someone from our team?";
constexpr const char* kNotUnderstood =
    "I'm not sure I understood. Could you tell me a little more, or type \"agent\" to talk to a person?";
constexpr const char* kThanks = "You're welcome! Is there anything else I can help with?";
constexpr const char* kHello = "Hello! What can I help you with?";

bool is_thanks(std::string_view text) {
  const std::vector<std::string> w = fold_words(text);
  return std::any_of(w.begin(), w.end(), [](const std::string& x) {
    return x == "thanks" || x == "thank" || x == "cheers" || x == "ta" || x == "gracias" || x == "merci" ||
           x == "danke" || x == "obrigado" || x == "obrigada" || x == "bye" || x == "goodbye";
  });
}

class BuiltinAssistant final : public Assistant {
 public:
  void respond(const Context& ctx, std::function<void(Reply)> done) override {
    static const std::vector<KbArticle> kEmpty;
    static const KbIndex kEmptyIndex;
    const auto& kb = ctx.kb ? *ctx.kb : kEmpty;
    const KbIndex& index = ctx.kb_index ? *ctx.kb_index : kEmptyIndex;
    AssistantMemory scratch;
    AssistantMemory& memory = ctx.memory ? *ctx.memory : scratch;
    HandoffConfig config;
    const AssistantTurn t = assistant_turn(ctx.text, index, memory, config);

    Reply r;
    r.turn = Json{{"decision", to_string(t.verdict.decision)}, {"kind", to_string(t.kind)},
                  {"rule", t.verdict.rule}, {"confidence", std::round(t.confidence * 100) / 100}};
    switch (t.kind) {
      case TurnKind::handoff:
        r.text = t.verdict.rule == kRuleEmergency ? kEmergency : kConnecting;
        r.hand_off = true;
        r.handoff_reason = t.verdict.rule;
        if (t.verdict.priority == "urgent") r.priority = Priority::urgent;
        if (t.verdict.priority == "high") r.priority = Priority::high;
        break;
      case TurnKind::offer:
        r.text = kOffer;
        r.understood = false;
        break;
      case TurnKind::small_talk:
        r.text = is_thanks(ctx.text) ? kThanks : kHello;
        break;
      case TurnKind::article: {
        const KbArticle& a = kb.at(*t.article);
        r.kind = MessageKind::kb_article;
        r.article_title = a.title;
        r.text = a.title + "\n\n" + a.body;
        r.turn["article_id"] = a.id;
        break;
      }
      case TurnKind::clarify:
        r.understood = false;
        r.text = kNotUnderstood;
        break;
    }
    // The tenant's limit on unanswered turns still applies, whatever the rules said.
    const int turns = ctx.conversation.unanswered_turns + 1;
    if (!r.hand_off && !r.understood && ctx.settings.handoff_after_turns > 0 &&
        turns >= ctx.settings.handoff_after_turns) {
      r.text = kConnecting;
      r.hand_off = true;
      r.handoff_reason = "assistant_gave_up";
      r.turn["decision"] = "handoff";
      r.turn["rule"] = "assistant_gave_up";
    }
    if (r.hand_off) r.summary = handoff_summary(ctx.recent_customer_messages, ctx.tried_titles, r.handoff_reason);
    done(std::move(r));
  }
};

}  // namespace

std::unique_ptr<Assistant> make_builtin_assistant() { return std::make_unique<BuiltinAssistant>(); }

// The demo knowledge base: it matches the demo site (web/index.html, "Lumen Broadband"), whose
// help centre sends people to the chat with invoices, outages and moving house (issue 8,
// widget defect 5). docs/examples/kb.md holds the same articles as an import file.
std::vector<KbArticle> default_kb_articles() {
  return {
      {"kb_outage",
       "Outages and a connection that is down",
       "Sorry your internet is down. First restart the router: unplug it for 30 seconds and plug it "
       "back in. Known outages and planned works in your street are on lumen.example/status. If "
       "nothing is listed for your street, type \"agent\" and a technician will call you back.",
       {"outage", "outages", "down", "offline", "street", "area", "connection", "working", "slow",
        "broken", "disconnected", "router", "wifi"}},
      {"kb_moving",
       "Moving house",
       "Moving? Tell us your new address at least two weeks before the move. We check that fibre "
       "reaches your new home and schedule the switch-over for your moving day, free of charge: your "
       "plan, number and router move with you.",
       {"moving", "move", "house", "address", "relocate", "relocating", "transfer"}},
      {"kb_hours",
       "Opening hours",
       "Our team is available Monday to Friday, 9:00 to 18:00. Outside these hours leave a message "
       "and we will answer the next working day.",
       {"hours", "open", "opening", "available", "when", "time", "weekend", "closed"}},
      {"kb_invoices",
       "Pricing and invoices",
       "Invoices are sent by e-mail on the first day of each month and are also available under "
       "Account > Billing. Plans: Home 300 at \u20ac29, Home 1000 at \u20ac39 and Business at \u20ac79 a "
       "month, all billed monthly with no contract.",
       {"invoice", "invoices", "billing", "bill", "price", "pricing", "cost", "payment", "pay", "plan"}},
      {"kb_password",
       "Resetting your password",
       "Click \"Forgot password\" on the sign-in page and enter your e-mail address. You will "
       "receive a link to choose a new password; it is valid for one hour.",
       {"password", "reset", "forgot", "login", "log", "sign", "signin", "account", "locked"}},
      {"kb_contact",
       "Contacting us",
       "You can reach us here in the chat, by e-mail at support@example.com, or by phone during "
       "opening hours. Type \"agent\" at any time to talk to a person.",
       {"contact", "email", "phone", "call", "reach", "address", "support"}},
  };
}

}  // namespace parley::relay
