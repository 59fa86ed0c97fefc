#include "app/assistant/assistant.hpp"

namespace parley::relay {
namespace {

constexpr const char* kConnecting =
    "I'm connecting you with a member of our team. Someone will be with you shortly.";
constexpr const char* kNotUnderstood =
    "I'm not sure I understood. Could you rephrase, or type \"agent\" to talk to a person?";

class BuiltinAssistant final : public Assistant {
 public:
  void respond(const Context& ctx, std::function<void(Reply)> done) override {
    Reply r;
    if (asks_for_person(ctx.text)) {
      r.text = kConnecting;
      r.hand_off = true;
      r.handoff_reason = "customer_asked";
      r.summary = handoff_summary(ctx.recent_customer_messages, ctx.tried_titles, r.handoff_reason);
      done(std::move(r));
      return;
    }
    static const std::vector<KbArticle> kEmpty;
    const auto& kb = ctx.kb ? *ctx.kb : kEmpty;
    if (auto match = best_article(ctx.text, kb)) {
      r.kind = MessageKind::kb_article;
      r.article_title = match->article->title;
      r.text = match->article->title + "\n\n" + match->article->body;
      done(std::move(r));
      return;
    }
    r.understood = false;
    const int turns = ctx.conversation.unanswered_turns + 1;
    if (ctx.settings.handoff_after_turns > 0 && turns >= ctx.settings.handoff_after_turns) {
      r.text = kConnecting;
      r.hand_off = true;
      r.handoff_reason = "assistant_gave_up";
      r.summary = handoff_summary(ctx.recent_customer_messages, ctx.tried_titles, r.handoff_reason);
    } else {
      r.text = kNotUnderstood;
    }
    done(std::move(r));
  }
};

}  // namespace

std::unique_ptr<Assistant> make_builtin_assistant() { return std::make_unique<BuiltinAssistant>(); }

std::vector<KbArticle> default_kb_articles() {
  return {
      {"kb_hours",
       "Opening hours",
       "Our team is available Monday to Friday, 9:00 to 18:00. Outside these hours leave a message "
       "and we will answer the next working day.",
       {"hours", "open", "opening", "available", "when", "time", "weekend", "closed"}},
      {"kb_invoices",
       "Pricing and invoices",
       "Invoices are sent by e-mail on the first day of each month and are also available under "
       "Account > Billing. Prices are listed on our pricing page; all plans are billed monthly.",
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
