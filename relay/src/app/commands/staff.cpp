// Staff commands: chat.accept, chat.resolve, chat.handoff, chat.set_priority, inbox.list; and the
// queue hand-off shared with customers, the assistant and the bridges.
#include "app/commands/handlers.hpp"
#include "core/log.hpp"

namespace parley::relay::cmd {

void accept(HubState& hub, const Principal& who, ConnState*, const Accept& a, AckFn ack) {
  ConvState* cs = visible(hub, who, a.conversation_id);
  if (!cs) return ack(not_found());
  const Actor agent = who.actor();
  const Millis at = hub.now();
  hub.pipeline.submit(
      *cs,
      [agent, at](ConvState& c) -> Decision {
        auto t = parley::accept(c.live, agent, at);
        if (!t) {
          Error e = t.error();
          if (e.code == ErrorCode::already_assigned && !c.live.assignee_name.empty()) {
            e.message = "already accepted by " + c.live.assignee_name;
          }
          return Decision::reply(e);
        }
        return Decision::persist(std::move(t).value(), head_ack);
      },
      std::move(ack));
}

void resolve(HubState& hub, const Principal& who, ConnState*, const Resolve& r, AckFn ack) {
  ConvState* cs = visible(hub, who, r.conversation_id);
  if (!cs) return ack(not_found());
  const Actor agent = who.actor();
  const bool may_override = who.staff.user.role != StaffRole::agent;
  const Millis at = hub.now();
  change(
      hub, *cs,
      [agent, may_override, r, at](const Conversation& live) {
        return parley::resolve(live, agent, may_override, r.resolution, r.issue_type, at);
      },
      std::move(ack));
}

void handoff(HubState& hub, const Principal& who, ConnState*, const Handoff& h, AckFn ack) {
  ConvState* cs = visible(hub, who, h.conversation_id);
  if (!cs) return ack(not_found());
  const Actor agent = who.actor();
  const Millis at = hub.now();
  const std::string given = h.reason;
  change(
      hub, *cs,
      [agent, at, given](const Conversation& live) {
        std::string reason = given;
        if (reason.empty()) reason = live.answered_by == Answerer::external ? "mirror_handoff" : "staff_took_over";
        return take_over(live, agent, reason, at);
      },
      std::move(ack));
}

void set_priority(HubState& hub, const Principal& who, ConnState*, const SetPriority& p, AckFn ack) {
  ConvState* cs = visible(hub, who, p.conversation_id);
  if (!cs) return ack(not_found());
  const Actor by = who.actor();
  const Millis at = hub.now();
  const Priority priority = p.priority;
  change(
      hub, *cs, [by, at, priority](const Conversation& live) { return parley::set_priority(live, by, priority, at); },
      std::move(ack));
}

void inbox_list(HubState& hub, const Principal& who, ConnState* conn, const InboxList& l, AckFn ack) {
  const std::string& tenant_id = who.tenant_id;
  if (l.list != InboxListName::recent) {
    TenantInbox::Page page = hub.inbox(tenant_id).page(l, who.staff.user.id);
    InboxPage out{l.list, {}, page.total, page.offset};
    for (const ConvState* cs : page.items) out.items.push_back(hub.list_item(*cs));
    // The page holds states as of now: the next inbox.changes tells this socket from here.
    if (conn) hub.feed.mark_fresh(*conn);
    return ack(to_json(out));
  }
  // A socket paging the whole history hears of every change of the tenant from now on.
  if (conn) hub.feed.view_all(*conn);
  // "recent" covers the tenant's whole history: served from the database, keyset-paged.
  RecentQuery q;
  q.limit = l.limit;
  if (l.after) q.after = RecentCursor{l.after->updated_at, l.after->id};
  const std::size_t offset_hint = l.after ? 0 : l.offset;
  if (!l.after && l.offset > 0) {
    return ack(make_error(ErrorCode::bad_field, "the recent list pages by cursor (after), not by offset", "offset"));
  }
  hub.on_worker([&hub, tenant_id, q, offset_hint, ack = std::move(ack)](StoreReader* reader) -> std::function<void()> {
    if (!reader) return [ack] { ack(make_error(ErrorCode::unavailable, "no database reader")); };
    auto page = std::make_shared<Result<RecentPage>>(reader->recent_page(tenant_id, q));
    return [&hub, page, offset_hint, ack] {
      if (!*page) return ack(page->error());
      InboxPage out{InboxListName::recent, {}, static_cast<std::size_t>((*page)->total), offset_hint};
      for (const Conversation& c : (*page)->conversations) {
        // Prefer the live committed state (previews, newer changes) when the hub holds it.
        if (ConvState* cs = hub.convs.find(c.id); cs && cs->committed_seq() > 0) {
          out.items.push_back(hub.list_item(*cs));
        } else {
          const Contact* k = hub.contacts.get(hub.reader, c.tenant_id, c.contact_id);
          out.items.push_back(make_item(c, k ? k->name : "", "", 0));
        }
      }
      ack(to_json(out));
    };
  });
}

}  // namespace parley::relay::cmd

namespace parley::relay {

void queue_handoff(HubState& hub, ConvState& cs, const Actor& by, const std::string& reason, AckFn ack) {
  const Millis at = hub.now();
  cmd::change(
      hub, cs,
      [&hub, id = cs.live.id, by, reason, at](const Conversation& live) -> Result<Transition> {
        ConvState* c = hub.convs.find(id);
        std::vector<std::string> recent;
        std::vector<std::string> tried;
        if (c) {
          recent.assign(c->recent_customer.begin(), c->recent_customer.end());
          tried = c->tried_titles;
        }
        const std::string summary = handoff_summary(recent, tried, reason);
        return hand_off(live, by, reason, summary, at);
      },
      std::move(ack));
}

}  // namespace parley::relay
