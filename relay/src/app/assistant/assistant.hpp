// relay/src/app/assistant.hpp: the assistant that answers first in conversations answered_by
// builtin. A small interface so an LLM provider can replace the built-in rules later (rule 4).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "parley/assistant_rules.hpp"
#include "parley/assistant_turn.hpp"
#include "parley/model.hpp"
#include "store/repo.hpp"

namespace parley::relay {

class Assistant {
 public:
  // What the assistant knows when a customer message has been committed.
  struct Context {
    Conversation conversation;  // committed state, status bot
    TenantSettings settings;
    const std::vector<KbArticle>* kb = nullptr;         // the tenant's articles (valid during respond)
    const KbIndex* kb_index = nullptr;                  // their search index (valid during respond)
    AssistantMemory* memory = nullptr;                  // the conversation's, loop thread (built-in only)
    std::string text;                                   // the customer's message
    std::vector<std::string> recent_customer_messages;  // oldest first, including `text`
    std::vector<std::string> tried_titles;              // articles already offered in this conversation
  };
  struct Reply {
    MessageKind kind = MessageKind::text;
    std::string text;            // "" = say nothing
    std::string article_title;   // set when the reply is a knowledge-base article
    bool understood = true;      // false: counts as an unanswered turn
    bool hand_off = false;       // hand the conversation to staff after the reply
    std::string handoff_reason;  // a parley/handoff_rules.hpp rule code, or "assistant_gave_up"
    std::string summary;         // staff-only hand-off summary
    std::optional<Priority> priority;  // set on the conversation with the hand-off (urgent, high)
    // How the turn was decided, stored on the assistant's message (data.assistant: docs/protocol.md)
    // so every turn can be counted and scored: {"decision","rule","article_id","confidence"}.
    Json turn = Json::object();
    // issue 10: the ephemeral chat.draft this reply replaces ("" = none was sent); the committed
    // message carries it as data.draft_id, and a reply that posts nothing discards the draft.
    std::string draft_id;
  };
  virtual ~Assistant() = default;
  // Produces the reply to one customer message. `done` may be called later (an LLM call on a
  // worker thread) but must then be posted to the loop thread; the hub re-checks that the
  // conversation is still with the assistant before applying it.
  virtual void respond(const Context& ctx, std::function<void(Reply)> done) = 0;
  // The greeting posted when a conversation starts without a first message ("" = none).
  virtual std::string greeting(const TenantSettings& settings) { return settings.welcome; }
};

// The built-in assistant: one parley::assistant_turn per message (BM25 search of the knowledge
// base, the three-way hand-off decision of parley/handoff_rules.hpp), and a hand-off after
// settings.handoff_after_turns unanswered turns in any case.
std::unique_ptr<Assistant> make_builtin_assistant();

// Demo articles seeded into an empty knowledge base on first start.
std::vector<KbArticle> default_kb_articles();

}  // namespace parley::relay
