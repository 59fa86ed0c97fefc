// The assistant's turns: run after a customer message committed, replies posted back to the
// loop and applied in turn order (see ConvState::assistant_turns). The assistant itself
// (assistant.hpp) may answer at once (built-in) or later from another thread (an LLM call):
// either way its reply is posted to the loop first, never applied inside respond().
#include <boost/asio/post.hpp>

#include "app/commands/handlers.hpp"
#include "core/log.hpp"

namespace parley::relay::cmd {

namespace {

void apply_reply(HubState& hub, const std::string& conv_id, Assistant::Reply r) {
  ConvState* cs = hub.convs.find(conv_id);
  if (!cs) return;
  hub.pipeline.submit(
      *cs,
      [&hub, r = std::move(r)](ConvState& c) mutable -> Decision {
        // Still the assistant's turn? (An agent may have taken over meanwhile.)
        if (c.live.status != Status::bot || c.live.answered_by != Answerer::builtin) {
          if (hub.llm) hub.llm->discard_draft(c.live.id, r.draft_id);  // issue 10: no reply replaces it
          return Decision::reply(Json::object());
        }
        const Tenant* t = hub.tenants.find(c.live.tenant_id);
        if (!t) return Decision::reply(Json::object());
        const Millis at = hub.now();
        const Actor bot{Role::bot, "bot", t->settings.assistant_name};
        const ConversationPolicy policy{t->settings.assistant_enabled};
        Transition tr{c.live, {}};
        if (!r.text.empty()) {
          Message m;
          m.kind = r.kind;
          m.text = r.text;
          auto posted = post_message(tr.next, bot, std::move(m), at, policy);
          if (!posted) return Decision::reply(posted.error());
          tr = std::move(posted).value();
          // How the turn was decided rides on the message's event (data.assistant).
          if (!r.turn.empty() && !tr.events.empty()) tr.events.back().data["assistant"] = r.turn;
          // issue 10: the streamed draft this message replaces (docs/protocol.md chat.draft).
          if (!r.draft_id.empty() && !tr.events.empty()) tr.events.back().data["draft_id"] = r.draft_id;
        } else if (hub.llm) {
          hub.llm->discard_draft(c.live.id, r.draft_id);
        }
        tr.next.unanswered_turns = r.understood ? 0 : tr.next.unanswered_turns + 1;
        if (!r.article_title.empty()) c.tried_titles.push_back(r.article_title);
        if (r.hand_off) {
          auto queued = hand_off(tr.next, bot, r.handoff_reason, r.summary, at);
          if (queued) {
            tr.next = queued->next;
            for (Event& e : queued->events) tr.events.push_back(std::move(e));
          }
          // An emergency or a dispute is not a normal chat in the queue.
          if (r.priority && *r.priority != tr.next.priority) {
            if (auto p = set_priority(tr.next, bot, *r.priority, at)) {
              tr.next = p->next;
              for (Event& e : p->events) tr.events.push_back(std::move(e));
            }
          }
        }
        if (tr.events.empty()) {
          // Only the unanswered-turns counter moved: it is stored with the next write.
          c.live = tr.next;
          return Decision::reply(Json::object());
        }
        const std::string tenant_id = c.live.tenant_id;
        Decision d = Decision::persist(std::move(tr), [](const ConvState&) { return Json::object(); });
        // Answered with an article: its usage count goes up in the same write (issue 10).
        if (const auto it = r.turn.find("article_id"); it != r.turn.end() && it->is_string()) {
          d.extra.push_back(BumpKbUsage{tenant_id, it->get<std::string>(), 1});
        }
        return d;
      },
      nullptr);
}

// Applies every reply whose turn has come, in order.
void drain_ready(HubState& hub, const std::string& conv_id) {
  ConvState* cs = hub.convs.find(conv_id);
  while (cs && !cs->assistant_ready.empty() && cs->assistant_ready.begin()->first == cs->assistant_applied + 1) {
    auto fn = std::move(cs->assistant_ready.begin()->second);
    cs->assistant_ready.erase(cs->assistant_ready.begin());
    ++cs->assistant_applied;
    fn();
    cs = hub.convs.find(conv_id);
  }
}

}  // namespace

void assistant_turn(HubState& hub, const std::string& conv_id, const std::string& text) {
  ConvState* cs = hub.convs.find(conv_id);
  if (!cs || !hub.assistant) return;
  const Conversation& c = cs->live;
  const Tenant* t = hub.tenants.find(c.tenant_id);
  if (!t || !t->settings.assistant_enabled) return;
  if (c.status != Status::bot || c.answered_by != Answerer::builtin) return;
  const std::uint64_t turn = ++cs->assistant_turns;
  Assistant::Context ctx;
  ctx.conversation = c;
  ctx.settings = t->settings;
  ctx.kb = &hub.tenants.kb(c.tenant_id);
  ctx.kb_index = &hub.tenants.kb_index(c.tenant_id);
  ctx.memory = &cs->assistant_memory;
  ctx.text = text;
  ctx.recent_customer_messages.assign(cs->recent_customer.begin(), cs->recent_customer.end());
  ctx.tried_titles = cs->tried_titles;
  auto done = [&hub, conv_id, turn](Assistant::Reply r) {
    boost::asio::post(hub.io, [&hub, conv_id, turn, r = std::move(r)]() mutable {
      ConvState* cs = hub.convs.find(conv_id);
      if (!cs) return;
      cs->assistant_ready.emplace(turn, [&hub, conv_id, r = std::move(r)]() mutable {
        apply_reply(hub, conv_id, std::move(r));
      });
      drain_ready(hub, conv_id);
    });
  };
  // issue 10: a tenant with an LLM provider answers through it (app/assistant/llm_service.hpp).
  if (hub.llm && hub.llm->active(c.tenant_id)) return hub.llm->respond(ctx, turn, std::move(done));
  hub.assistant->respond(ctx, std::move(done));
}

}  // namespace parley::relay::cmd
